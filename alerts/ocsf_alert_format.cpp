// OCSF 1.1.0 Detection Finding (class 2004): the attributes the class requires
// (activity_id, category_uid, class_uid, type_uid, severity_id, time, metadata with
// product and version, finding_info with uid and title) and the recommended ones vigie
// knows (analytic, attacks, device, evidences, is_alert, status_id).
#include "alerts/alert_format.hpp"
#include "alerts/attack_tags.hpp"
#include "alerts/json_text.hpp"
#include "alerts/matched_json.hpp"

namespace vigie {

namespace {

constexpr std::string_view kOcsfVersion = "1.1.0";

void append_attacks(std::string& b, const Rule& rule) {
    std::optional<AttackTactic> tactic;
    for (const auto& tag : rule.tags) {
        if (!tactic) tactic = attack_tactic(tag);
    }
    b += '[';
    bool first = true;
    for (const auto& tag : rule.tags) {
        auto technique = attack_technique(tag);
        if (!technique) continue;
        if (!first) b += ',';
        first = false;
        b += R"({"technique":{"uid":)";
        append_json_string(b, *technique);
        b += '}';
        if (tactic) {
            b += R"(,"tactic":{"uid":)";
            append_json_string(b, tactic->uid);
            b += R"(,"name":)";
            append_json_string(b, tactic->name);
            b += '}';
        }
        b += '}';
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

void append_unmapped(std::string& b, const Alert& a) {
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
    append_matched(b, a.matched);
    b += '}';
}

}  // namespace

void OcsfAlertFormat::append(const Alert& a, std::string& b) const {
    b += R"({"activity_id":1,"activity_name":"Create","category_uid":2,)"
         R"("category_name":"Findings","class_uid":2004,"class_name":"Detection Finding",)"
         R"("type_uid":200401,"type_name":"Detection Finding: Create","severity_id":)";
    append_json_number(b, static_cast<uint64_t>(ocsf_severity_id(a.rule.level)));
    b += R"(,"severity":)";
    append_json_string(b, ocsf_severity(a.rule.level));
    b += R"(,"status_id":1,"status":"New","is_alert":true,"time":)";
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
        b += R"(,"device":{"hostname":)";
        append_json_string(b, a.host);
        b += R"(,"type_id":0,"type":"Unknown"})";
    }
    if (a.include_event) {
        b += R"(,"evidences":[{"data":)";
        append_event(b, a);
        b += "}]";
    }
    b += ',';
    append_unmapped(b, a);
    b += "}\n";
}

}  // namespace vigie
