// SPDX-License-Identifier: EUPL-1.2
#include "federation/sharing/sigma_indicators.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <filesystem>
#include <fstream>

#include "core/text.hpp"
#include "detector/placeholders.hpp"
#include "detector/rule_parser.hpp"

namespace vigie {
namespace {

constexpr const char* kAcceptedKey = "sigma-accepted:";

// The rule's YAML with `tlp:<level>` added to its tags, or "" when the text is not one
// YAML mapping (a rule that parsed is one).
std::string with_tlp_tag(const std::string& yaml, stix::Tlp tlp) {
    std::string tag = "tlp:";
    append_ascii_lower(tag, stix::tlp_name(tlp).substr(4));
    try {
        YAML::Node doc = YAML::Load(yaml);
        if (!doc.IsMap()) return {};
        YAML::Node tags = doc["tags"];
        if (!tags.IsSequence()) tags = YAML::Node(YAML::NodeType::Sequence);
        // A tlp: tag of the rule's own stays; the outputs take the strictest of them.
        tags.push_back(tag);
        doc["tags"] = tags;
        YAML::Emitter out;
        out << doc;
        return out.good() ? std::string(out.c_str()) + "\n" : std::string();
    } catch (const YAML::Exception&) {
        return {};
    }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> local_rule_ids(
    const std::vector<std::string>& paths) {
    Diagnostics ignored;
    Placeholders none;
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& file : find_rule_files(paths, ignored)) {
        RuleParser parser(none, ignored);
        std::vector<Rule> rules;
        parser.parse_file(file, rules);
        for (const auto& r : rules) out.emplace_back(r.id, file);
    }
    return out;
}

std::vector<SigmaIndicator> sigma_indicators(const IndicatorStore& store) {
    std::vector<SigmaIndicator> out;
    Placeholders none;
    store.for_each_current([&](const stix::Indicator& ind) {
        if (ind.pattern_type != "sigma" || ind.revoked) return;
        SigmaIndicator s{ind.id, ind.source, ind.name, {}, {}, ind.pattern, {}, false};
        RuleParser parser(none, s.problems);
        std::vector<Rule> rules;
        parser.parse_text(ind.pattern, ind.id, rules);
        if (rules.size() == 1 && s.problems.empty()) {
            s.rule_id = rules[0].id;
            s.title = rules[0].title;
        } else if (rules.size() > 1) {
            s.problems.push_back(
                {Severity::Error, {ind.id, 0, 0}, "", "one indicator carries one rule"});
        }
        s.accepted = store.state(kAcceptedKey + ind.id).has_value();
        s.tlp = ind.tlp;
        out.push_back(std::move(s));
    });
    return out;
}

Result<std::string> accept_sigma_indicator(IndicatorStore& store, const SigmaIndicator& rule,
                                           const std::string& rules_dir,
                                           const std::vector<std::string>& local_rule_paths) {
    if (rule.rule_id.empty() || !rule.problems.empty()) {
        return Error{rule.indicator_id +
                     ": the rule has problems (vigie rules pending lists them)"};
    }
    const std::filesystem::path target = std::filesystem::path(rules_dir) / (rule.rule_id + ".yml");
    for (const auto& [id, file] : local_rule_ids(local_rule_paths)) {
        std::error_code ec;
        if (id == rule.rule_id && !std::filesystem::equivalent(file, target, ec)) {
            return Error{rule.indicator_id + ": rule " + rule.rule_id +
                         " already exists locally in " + file + "; not replaced"};
        }
    }
    const std::string yaml = with_tlp_tag(rule.yaml, rule.tlp);
    if (yaml.empty()) {
        return Error{rule.indicator_id +
                     ": the rule's TLP cannot be added to its tags (not one YAML mapping)"};
    }
    std::error_code ec;
    std::filesystem::create_directories(rules_dir, ec);
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out << "# From " << rule.source << ", indicator " << rule.indicator_id << "\n" << yaml;
    if (!out.flush()) return Error{target.string() + ": cannot write"};
    if (auto kept = store.set_state(kAcceptedKey + rule.indicator_id, rule.rule_id); !kept)
        return kept.error();
    return "rule " + rule.rule_id + " written to " + target.string();
}

}  // namespace vigie
