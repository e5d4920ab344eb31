// SPDX-License-Identifier: EUPL-1.2
#include "federation/taxii/stix_object.hpp"

#include <array>
#include <string_view>
#include <vector>

#include "federation/stix/stix_id.hpp"
#include "federation/stix/timestamp.hpp"
#include "federation/stix/tlp_granular.hpp"

namespace vigie::taxii {

namespace {

// Cyber-observable objects carry neither created nor modified (STIX 2.1, section 6).
constexpr std::array<std::string_view, 18> kObservableTypes{"artifact",
                                                            "autonomous-system",
                                                            "directory",
                                                            "domain-name",
                                                            "email-addr",
                                                            "email-message",
                                                            "file",
                                                            "ipv4-addr",
                                                            "ipv6-addr",
                                                            "mac-addr",
                                                            "mutex",
                                                            "network-traffic",
                                                            "process",
                                                            "software",
                                                            "url",
                                                            "user-account",
                                                            "windows-registry-key",
                                                            "x509-certificate"};

bool observable_type(std::string_view type) {
    for (auto t : kObservableTypes)
        if (t == type) return true;
    return false;
}

// An optional timestamp property: nullopt when absent, an error when present but not one.
Result<std::optional<int64_t>> read_timestamp(simdjson::dom::object object, const char* key) {
    simdjson::dom::element value;
    if (object[key].get(value) != simdjson::SUCCESS) return std::optional<int64_t>{};
    std::string_view text;
    std::optional<int64_t> parsed;
    if (value.get_string().get(text) == simdjson::SUCCESS) parsed = stix::parse_timestamp(text);
    if (!parsed)
        return Error{std::string(key) + " is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s+]Z)"};
    return parsed;
}

// The strictest TLP of object_marking_refs, else the default; an error when the property is
// malformed (a list of marking ids is required).
Result<stix::Tlp> read_tlp(simdjson::dom::object object, stix::Tlp default_tlp) {
    simdjson::dom::element refs;
    if (object["object_marking_refs"].get(refs) != simdjson::SUCCESS) return default_tlp;
    const Error malformed{"object_marking_refs must be a list of marking-definition ids"};
    simdjson::dom::array list;
    if (refs.get_array().get(list) != simdjson::SUCCESS) return malformed;
    std::vector<std::string> ids;
    for (simdjson::dom::element ref : list) {
        std::string_view id;
        if (ref.get_string().get(id) != simdjson::SUCCESS) return malformed;
        ids.emplace_back(id);
    }
    return stix::strictest_tlp(ids).value_or(default_tlp);
}

// The version (modified, else created), from the versioning properties the type has.
Result<std::optional<int64_t>> read_version(simdjson::dom::object object, const std::string& type) {
    auto created = read_timestamp(object, "created");
    if (!created) return created.error();
    auto modified = read_timestamp(object, "modified");
    if (!modified) return modified.error();
    if (!observable_type(type)) {
        if (!*created) return Error{"a " + type + " needs created"};
        // A marking definition is never versioned: it has created only.
        if (!*modified && type != "marking-definition")
            return Error{"a " + type + " needs modified"};
        if (*modified && **modified < **created) return Error{"modified is before created"};
    }
    return *modified ? *modified : *created;
}

// STIX 2.1's rules that matter to a collection, on an object.
Result<StixObjectRecord> check_record(simdjson::dom::element element, simdjson::dom::object object,
                                      stix::Tlp default_tlp) {
    std::string_view type;
    if (object["type"].get_string().get(type) != simdjson::SUCCESS || !stix::valid_type_name(type))
        return Error{"type is missing or not a STIX type name"};
    std::string_view id;
    if (object["id"].get_string().get(id) != simdjson::SUCCESS ||
        !stix::valid_stix_id(id, HexCase::Lower) || id.substr(0, id.find("--")) != type)
        return Error{"id must be " + std::string(type) + "--<uuid>"};
    std::string_view spec_version;
    if (object["spec_version"].get_string().get(spec_version) != simdjson::SUCCESS ||
        spec_version != "2.1")
        return Error{"spec_version must be \"2.1\""};
    StixObjectRecord record;
    record.id = std::string(id);
    record.type = std::string(type);
    auto versioned = read_version(object, record.type);
    if (!versioned) return versioned.error();
    record.version = *versioned;
    auto tlp = read_tlp(object, default_tlp);
    if (!tlp) return tlp.error();
    record.json = simdjson::minify(element);
    const stix::MarkingSummary markings = stix::summarize_markings(record.json, *tlp);
    if (!markings.problem.empty()) return Error{markings.problem};
    record.tlp = markings.required;
    return record;
}

}  // namespace

CheckedObject check_stix_object(simdjson::dom::element element, stix::Tlp default_tlp) {
    CheckedObject out;
    simdjson::dom::object object;
    if (element.get_object().get(object) != simdjson::SUCCESS) {
        out.record = Error{"not a JSON object"};
        return out;
    }
    std::string_view id;
    if (object["id"].get_string().get(id) == simdjson::SUCCESS) out.id = std::string(id);
    std::string_view version;
    if (object["modified"].get_string().get(version) == simdjson::SUCCESS ||
        object["created"].get_string().get(version) == simdjson::SUCCESS)
        out.version = std::string(version);
    out.record = check_record(element, object, default_tlp);
    return out;
}

}  // namespace vigie::taxii
