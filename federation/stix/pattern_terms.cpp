// SPDX-License-Identifier: EUPL-1.2
// line_rate_terms: flattens "[a] OR [b OR c]" into terms an event matcher tests one by
// one; refuses, with the column, anything whose meaning needs more than one event value.
#include "federation/stix/pattern_terms.hpp"

#include <array>
#include <cctype>
#include <string_view>

#include "core/ip_network.hpp"
#include "federation/stix/pattern_ast.hpp"

namespace vigie::stix {
namespace {

std::string squash(std::string_view name) {  // "Sha-256" -> "SHA256"
    std::string out;
    for (char c : name)
        if (c != '-' && c != '_')
            out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    return out;
}

// The hash algorithm vocabulary (STIX 2.1 section 10.7), whatever the feed's spelling.
std::string normalise_hash_name(std::string_view name) {
    static constexpr std::array<std::string_view, 7> kNames = {
        "MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SSDEEP", "TLSH"};
    static constexpr std::array<std::string_view, 3> kMore = {"SHA3-512", "SHA-224", "SHA-384"};
    std::string key = squash(name);
    for (std::string_view n : kNames)
        if (squash(n) == key) return std::string(n);
    for (std::string_view n : kMore)
        if (squash(n) == key) return std::string(n);
    return std::string(name);
}

std::string at(uint32_t column, const std::string& why) {
    return "column " + std::to_string(column) + ": " + why;
}

class TermCollector {
  public:
    LineRateTerms result;

    void observation(const ObservationExpr& obs) {
        if (!result.unsupported.empty()) return;
        if (!obs.qualifiers.empty())
            return refuse(
                obs.qualifiers.front().column,
                "qualifiers (WITHIN, REPEATS, START/STOP) need an observation set, not one event");
        switch (obs.kind) {
            case ObservationExpr::Kind::Observation:
                return comparison(obs.comparison);
            case ObservationExpr::Kind::Or:
                for (const auto& child : obs.children) observation(child);
                return;
            case ObservationExpr::Kind::And:
                return refuse(obs.column, "AND between observations needs several events");
            case ObservationExpr::Kind::FollowedBy:
                return refuse(obs.column, "FOLLOWEDBY needs several events in time order");
        }
    }

  private:
    void refuse(uint32_t column, const std::string& why) {
        if (result.unsupported.empty()) result.unsupported = at(column, why);
        result.any_of.clear();
    }

    void comparison(const ComparisonExpr& expr) {
        if (!result.unsupported.empty()) return;
        switch (expr.kind) {
            case ComparisonExpr::Kind::Leaf:
                return leaf(expr.leaf);
            case ComparisonExpr::Kind::Or:
                for (const auto& child : expr.children) comparison(child);
                return;
            case ComparisonExpr::Kind::And:
                return refuse(expr.column, "AND within an observation is not matched per event");
        }
    }

    void leaf(const Comparison& c) {
        if (c.negated) return refuse(c.column, "NOT is not matched per event");
        std::string path;
        if (!path_text(c.path, path)) return;
        for (const Constant& k : c.values)
            if (k.kind != Constant::Kind::String)
                return refuse(k.column, "only string constants are matched per event");
        IndicatorTerm term{c.path.object_type, path, TermOp::Equal, ""};
        switch (c.op) {
            case CompareOp::Equal:
            case CompareOp::In:
                for (const Constant& k : c.values) {
                    term.value = k.text;
                    result.any_of.push_back(term);
                }
                return;
            case CompareOp::Like:
                term.op = TermOp::Like;
                break;
            case CompareOp::Matches:
                term.op = TermOp::Matches;
                break;
            case CompareOp::IsSubset:
                if ((c.path.object_type != "ipv4-addr" && c.path.object_type != "ipv6-addr") ||
                    path != "value")
                    return refuse(c.column,
                                  "ISSUBSET is matched per event only on ipv4-addr:value and "
                                  "ipv6-addr:value");
                if (!IpNetwork::parse(c.values.front().text))
                    return refuse(c.column, "ISSUBSET needs an IP address or CIDR network");
                term.op = TermOp::InNetwork;
                break;
            default:
                return refuse(c.column,
                              std::string(operator_name(c.op)) + " is not matched per event");
        }
        term.value = c.values.front().text;
        result.any_of.push_back(term);
    }

    static const char* operator_name(CompareOp op) {
        switch (op) {
            case CompareOp::NotEqual:
                return "!=";
            case CompareOp::Greater:
                return ">";
            case CompareOp::Less:
                return "<";
            case CompareOp::GreaterEqual:
                return ">=";
            case CompareOp::LessEqual:
                return "<=";
            case CompareOp::IsSuperset:
                return "ISSUPERSET";
            case CompareOp::Exists:
                return "EXISTS";
            default:
                return "this operator";
        }
    }

    bool path_text(const ObjectPath& p, std::string& out) {
        for (size_t i = 0; i < p.steps.size(); ++i) {
            const PathStep& step = p.steps[i];
            if (step.kind != PathStep::Kind::Key) {
                refuse(p.column, "list indexes ([n], [*]) are not matched per event");
                return false;
            }
            if (i > 0) out += '.';
            bool hash_name = i == 1 && p.steps[0].key == "hashes";
            out += hash_name ? normalise_hash_name(step.key) : step.key;
        }
        return true;
    }
};

}  // namespace

LineRateTerms line_rate_terms(const Pattern& pattern) {
    TermCollector collector;
    collector.observation(pattern.root);
    return std::move(collector.result);
}

}  // namespace vigie::stix
