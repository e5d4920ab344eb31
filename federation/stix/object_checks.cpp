// SPDX-License-Identifier: EUPL-1.2
#include "federation/stix/object_checks.hpp"

#include "federation/stix/pattern_parser.hpp"
#include "federation/stix/timestamp.hpp"

namespace vigie::stix {
namespace {

namespace dom = simdjson::dom;

// What the checks of one object found so far; the first problem wins.
class Checker {
  public:
    explicit Checker(const dom::object& object) : object_(object) {}

    std::string error;

    std::optional<std::string_view> string(const char* key, bool required) {
        std::string_view s;
        auto field = object_[key];
        if (field.error() == simdjson::NO_SUCH_FIELD) {
            if (required) fail(std::string(key) + ": required");
            return std::nullopt;
        }
        if (field.get(s)) {
            fail(std::string(key) + ": not a string");
            return std::nullopt;
        }
        return s;
    }

    std::optional<int64_t> timestamp(const char* key, bool required) {
        auto s = string(key, required);
        if (!s) return std::nullopt;
        auto t = parse_timestamp(*s);
        if (!t)
            fail(std::string(key) + ": '" + std::string(*s) +
                 "' is not a STIX timestamp (RFC 3339 in UTC, e.g. 2026-01-31T12:00:00.000Z)");
        return t;
    }

    std::vector<std::string> strings(const char* key) {
        std::vector<std::string> out;
        auto field = object_[key];
        if (field.error() == simdjson::NO_SUCH_FIELD) return out;
        dom::array array;
        if (field.get(array)) {
            fail(std::string(key) + ": not a list");
            return out;
        }
        for (auto item : array) {
            std::string_view s;
            if (item.get(s)) {
                fail(std::string(key) + ": a value that is not a string");
                break;
            }
            out.emplace_back(s);
        }
        return out;
    }

    void fail(std::string message) {
        if (error.empty()) error = std::move(message);
    }

    const dom::object& object() const { return object_; }

  private:
    const dom::object& object_;
};

void read_kill_chain(Checker& c, Indicator& ind) {
    dom::array phases;
    auto field = c.object()["kill_chain_phases"];
    if (field.error() == simdjson::NO_SUCH_FIELD) return;
    if (field.get(phases)) return c.fail("kill_chain_phases: not a list");
    for (auto phase : phases) {
        std::string_view chain, name;
        if (phase["kill_chain_name"].get(chain) || phase["phase_name"].get(name)) {
            return c.fail("kill_chain_phases: each needs kill_chain_name and phase_name strings");
        }
        ind.kill_chain_phases.push_back(std::string(chain) + ":" + std::string(name));
    }
}

void read_confidence(Checker& c, Indicator& ind) {
    auto field = c.object()["confidence"];
    if (field.error() == simdjson::NO_SUCH_FIELD) return;
    int64_t value = 0;
    if (field.get(value) || value < 0 || value > 100) {
        return c.fail("confidence: not an integer from 0 to 100");
    }
    ind.confidence = static_cast<int>(value);
}

void read_indicator(Checker& c, const BundleOptions& options, Indicator& ind) {
    ind.created_us = c.timestamp("created", true).value_or(0);
    ind.modified_us = c.timestamp("modified", true).value_or(0);
    ind.valid_from_us = c.timestamp("valid_from", true).value_or(0);
    ind.valid_until_us = c.timestamp("valid_until", false);
    if (c.error.empty() && ind.modified_us < ind.created_us)
        c.fail("modified: earlier than created");
    if (c.error.empty() && ind.valid_until_us && *ind.valid_until_us <= ind.valid_from_us)
        c.fail("valid_until: not later than valid_from");
    ind.pattern = c.string("pattern", true).value_or("");
    ind.pattern_type = c.string("pattern_type", true).value_or("");
    ind.name = c.string("name", false).value_or("");
    if (auto by = c.string("created_by_ref", false)) {
        if (!valid_stix_id(*by, "identity")) c.fail("created_by_ref: not an identity id");
        ind.created_by_ref = *by;
    }
    bool revoked = false;
    auto field = c.object()["revoked"];
    if (field.error() != simdjson::NO_SUCH_FIELD && field.get(revoked))
        c.fail("revoked: not a boolean");
    ind.revoked = revoked;
    read_confidence(c, ind);
    read_kill_chain(c, ind);
    ind.labels = c.strings("labels");
    if (!c.error.empty()) return;
    if (ind.pattern.size() > options.limits.max_pattern_bytes) {
        return c.fail("pattern: over the " + std::to_string(options.limits.max_pattern_bytes) +
                      "-byte limit");
    }
    if (ind.pattern_type == "stix") {
        PatternParse parsed = parse_pattern(ind.pattern);
        if (!parsed.ok()) {
            c.fail("pattern: " + parsed.error().message);
        }
    }
}

}  // namespace

ObjectCheck check_object(const dom::element& element, const BundleOptions& options) {
    ObjectCheck out;
    dom::object object;
    if (element.get(object)) {
        out.checked = Error{"not a JSON object"};
        return out;
    }
    Checker c(object);
    out.type = c.string("type", true).value_or("");
    out.id = c.string("id", true).value_or("");
    if (!c.error.empty()) {
        out.checked = Error{c.error};
        return out;
    }
    if (!valid_stix_id(out.id, out.type))
        c.fail("id: '" + out.id + "' is not '" + out.type + "--<uuid>'");
    auto spec = c.string("spec_version", out.type != "marking-definition");
    if (spec && *spec != "2.1")
        c.fail("spec_version: '" + std::string(*spec) + "', only 2.1 is read");
    std::vector<std::string> markings = c.strings("object_marking_refs");
    for (const auto& m : markings) {
        if (!valid_stix_id(m, "marking-definition"))
            c.fail("object_marking_refs: '" + m + "' is not a marking-definition id");
    }
    std::optional<Indicator> indicator;
    if (out.type == "indicator" && c.error.empty()) {
        Indicator ind;
        ind.id = out.id;
        read_indicator(c, options, ind);
        ind.marking_refs = std::move(markings);
        ind.tlp = strictest_tlp(ind.marking_refs).value_or(options.default_tlp);
        ind.source = options.source;
        ind.json = simdjson::minify(element);
        if (c.error.empty()) indicator = std::move(ind);
    } else if (c.error.empty()) {
        c.timestamp("created", false);
        c.timestamp("modified", false);
    }
    if (!c.error.empty())
        out.checked = Error{std::move(c.error)};
    else
        out.checked = std::move(indicator);
    return out;
}

}  // namespace vigie::stix
