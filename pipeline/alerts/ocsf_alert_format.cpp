// SPDX-License-Identifier: EUPL-1.2
// OCSF 1.1.0 Detection Finding (class 2004): the attributes the class requires
// (activity_id, category_uid, class_uid, type_uid, severity_id, time, metadata with
// product and version, finding_info with uid and title) and the recommended ones vigie
// knows (analytic, attacks, device, evidences, status_id). Nothing else at the top level:
// OCSF 1.1 has no is_alert (a later version's), and strict means only 1.1's attributes;
// tests/alerts/ocsf_validate.py checks this against the official 1.1.0 definitions.
#include "core/json_text.hpp"
#include "pipeline/alerts/alert_format.hpp"
#include "pipeline/alerts/attack_tags.hpp"
#include "pipeline/alerts/matched_json.hpp"

namespace vigie {

namespace {

constexpr std::string_view kOcsfVersion = "1.1.0";

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// OCSF 1.1's hostname_t pattern: dot-separated labels of letters, digits and inner hyphens.
// A host the event names otherwise ("WS_01", "web 1") goes to device.name (string_t), so
// that the alert stays valid and the host is not lost.
bool is_ocsf_hostname(std::string_view host) {
    size_t label_start = 0;
    for (size_t i = 0; i <= host.size(); ++i) {
        if (i < host.size() && host[i] != '.') {
            if (!is_alnum(host[i]) && host[i] != '-') return false;
            continue;
        }
        if (i == label_start || !is_alnum(host[label_start]) || !is_alnum(host[i - 1]))
            return false;
        label_start = i + 1;
    }
    return true;
}

void append_attack(std::string& b, bool& first, const std::string& technique,
                   const AttackTactic* tactic) {
    if (!first) b += ',';
    first = false;
    b += R"({"technique":{"uid":)";
    append_json_string(b, technique);
    b += '}';
    if (tactic != nullptr) {
        b += R"(,"tactic":{"uid":)";
        append_json_string(b, tactic->uid);
        b += R"(,"name":)";
        append_json_string(b, tactic->name);
        b += '}';
    }
    b += '}';
}

// One attack object per technique and tactic. A technique's tactics are ATT&CK's (the
// generated table), narrowed to those the rule's tags also name when they name any: the
// rule's tags list tactics and techniques side by side without saying which goes with
// which, so a rule's first tactic is no technique's tactic. A technique the table does not
// know gets no tactic rather than a guessed one.
void append_attacks(std::string& b, const Rule& rule) {
    AttackTacticSet rule_tactics = 0;
    for (const auto& tag : rule.tags) {
        if (auto bit = attack_tactic_bit(tag)) rule_tactics |= AttackTacticSet(1U << *bit);
    }
    b += '[';
    bool first = true;
    for (const auto& tag : rule.tags) {
        auto technique = attack_technique(tag);
        if (!technique) continue;
        const std::optional<AttackTacticSet> known = attack_technique_tactics(*technique);
        if (!known || *known == 0) {
            append_attack(b, first, *technique, nullptr);
            continue;
        }
        const AttackTacticSet both = *known & rule_tactics;
        const AttackTacticSet tactics = both != 0 ? both : *known;
        for (size_t bit = 0; bit < kAttackTacticCount; ++bit) {
            if ((tactics >> bit) & 1U) append_attack(b, first, *technique, &attack_tactic_at(bit));
        }
    }
    b += ']';
}

void append_finding_info(std::string& b, const Alert& a) {
    const Rule& rule = a.rule;
    b += R"("finding_info":{"uid":)";
    append_json_string(b, a.uid);
    b += R"(,"title":)";
    append_json_string(b, rule.title);
    if (!rule.description.empty()) {
        b += R"(,"desc":)";
        append_json_string(b, rule.description);
    }
    b += R"(,"analytic":{"uid":)";
    append_json_string(b, rule.id);
    b += R"(,"name":)";
    append_json_string(b, rule.title);
    b += R"(,"type_id":1,"type":"Rule"},"attacks":)";
    append_attacks(b, rule);
    b += R"(,"types":)";
    append_json_string_list(b, rule.tags);
    b += R"(,"created_time":)";
    append_json_number(b, static_cast<uint64_t>(a.time_ms));
    append_event_span(b, a, "first_seen_time", "last_seen_time");
    if (!rule.references.empty()) {
        b += R"(,"src_url":)";
        append_json_string(b, rule.references.front());
    }
    b += '}';
}

void append_unmapped(std::string& b, const Alert& a, const AlertCut* cut) {
    b += R"("unmapped":{"schema_version":)";
    append_json_string(b, kAlertSchemaVersion);
    if (!a.agency.empty()) {
        b += R"(,"agency":)";
        append_json_string(b, a.agency);
    }
    b += R"(,"rule_level":)";
    append_json_string(b, level_name(a.rule.level));
    b += R"(,"rule_status":)";
    append_json_string(b, a.rule.status);
    b += R"(,"source":)";
    append_source(b, a);
    b += R"(,"matched":)";
    append_matched(b, a.matched, cut ? cut->matched_value_bytes : SIZE_MAX);
    if (cut && a.include_event) {
        b += ',';
        append_event_truncated(b, *cut);
    }
    b += '}';
}

}  // namespace

void OcsfAlertFormat::write(const Alert& a, const AlertCut* cut, std::string& b) const {
    b += R"({"activity_id":1,"activity_name":"Create","category_uid":2,)"
         R"("category_name":"Findings","class_uid":2004,"class_name":"Detection Finding",)"
         R"("type_uid":200401,"type_name":"Detection Finding: Create","severity_id":)";
    append_json_number(b, static_cast<uint64_t>(ocsf_severity_id(a.rule.level)));
    b += R"(,"severity":)";
    append_json_string(b, ocsf_severity(a.rule.level));
    b += R"(,"status_id":1,"status":"New","time":)";
    append_json_number(b, static_cast<uint64_t>(a.time_ms));
    append_event_span(b, a, "start_time", "end_time");
    b += R"(,"count":)";
    append_json_number(b, a.count);
    b += R"(,"metadata":{"version":)";
    append_json_string(b, kOcsfVersion);
    b += R"(,"product":{"name":"vigie","vendor_name":"vigie","version":)";
    append_json_string(b, version_);
    b += R"(},"uid":)";
    append_json_string(b, a.uid);
    b += R"(},)";
    append_finding_info(b, a);
    if (!a.host.empty()) {
        b += is_ocsf_hostname(a.host) ? R"(,"device":{"hostname":)" : R"(,"device":{"name":)";
        append_json_string(b, a.host);
        b += R"(,"type_id":0,"type":"Unknown"})";
    }
    if (a.include_event && !cut) {  // cut: unmapped.event_truncated instead
        b += R"(,"evidences":[{"data":)";
        append_event(b, a);
        b += "}]";
    }
    b += ',';
    append_unmapped(b, a, cut);
    b += "}\n";
}

}  // namespace vigie
