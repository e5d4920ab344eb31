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

// Reads an optional timestamp property; false (with `error`) when present but not one.
bool read_timestamp(simdjson::dom::object object, const char* key, std::optional<int64_t>& out,
                    std::string& error) {
    simdjson::dom::element value;
    if (object[key].get(value) != simdjson::SUCCESS) return true;
    std::string_view text;
    std::optional<int64_t> parsed;
    if (value.get_string().get(text) == simdjson::SUCCESS) parsed = stix::parse_timestamp(text);
    if (!parsed) {
        error = std::string(key) + " is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s+]Z)";
        return false;
    }
    out = parsed;
    return true;
}

// The strictest TLP of object_marking_refs, else the default; false when the property is
// malformed (a list of marking ids is required).
bool read_tlp(simdjson::dom::object object, stix::Tlp default_tlp, stix::Tlp& out,
              std::string& error) {
    out = default_tlp;
    simdjson::dom::element refs;
    if (object["object_marking_refs"].get(refs) != simdjson::SUCCESS) return true;
    simdjson::dom::array list;
    if (refs.get_array().get(list) != simdjson::SUCCESS) {
        error = "object_marking_refs must be a list of marking-definition ids";
        return false;
    }
    std::vector<std::string> ids;
    for (simdjson::dom::element ref : list) {
        std::string_view id;
        if (ref.get_string().get(id) != simdjson::SUCCESS) {
            error = "object_marking_refs must be a list of marking-definition ids";
            return false;
        }
        ids.emplace_back(id);
    }
    if (auto strictest = stix::strictest_tlp(ids)) out = *strictest;
    return true;
}

// The versioning properties: created and modified where the type has them.
bool read_version(simdjson::dom::object object, const std::string& type,
                  std::optional<int64_t>& version, std::string& error) {
    std::optional<int64_t> created;
    std::optional<int64_t> modified;
    if (!read_timestamp(object, "created", created, error) ||
        !read_timestamp(object, "modified", modified, error))
        return false;
    if (!observable_type(type)) {
        if (!created) return (error = "a " + type + " needs created"), false;
        // A marking definition is never versioned: it has created only.
        if (!modified && type != "marking-definition")
            return (error = "a " + type + " needs modified"), false;
        if (modified && *modified < *created) return (error = "modified is before created"), false;
    }
    version = modified ? modified : created;
    return true;
}

}  // namespace

CheckedObject check_stix_object(simdjson::dom::element element, stix::Tlp default_tlp) {
    CheckedObject out;
    simdjson::dom::object object;
    if (element.get_object().get(object) != simdjson::SUCCESS)
        return (out.error = "not a JSON object"), out;
    std::string_view id;
    if (object["id"].get_string().get(id) == simdjson::SUCCESS) out.id = std::string(id);
    std::string_view version;
    if (object["modified"].get_string().get(version) == simdjson::SUCCESS ||
        object["created"].get_string().get(version) == simdjson::SUCCESS)
        out.version = std::string(version);
    std::string_view type;
    if (object["type"].get_string().get(type) != simdjson::SUCCESS || !stix::valid_type_name(type))
        return (out.error = "type is missing or not a STIX type name"), out;
    if (!stix::valid_stix_id(id, HexCase::Lower) || id.substr(0, id.find("--")) != type)
        return (out.error = "id must be " + std::string(type) + "--<uuid>"), out;
    std::string_view spec_version;
    if (object["spec_version"].get_string().get(spec_version) != simdjson::SUCCESS ||
        spec_version != "2.1")
        return (out.error = "spec_version must be \"2.1\""), out;
    StixObjectRecord record;
    record.id = std::string(id);
    record.type = std::string(type);
    if (!read_version(object, record.type, record.version, out.error) ||
        !read_tlp(object, default_tlp, record.tlp, out.error))
        return out;
    record.json = simdjson::minify(element);
    const stix::MarkingSummary markings = stix::summarize_markings(record.json, record.tlp);
    if (!markings.problem.empty()) return (out.error = markings.problem), out;
    record.tlp = markings.required;
    out.record = std::move(record);
    return out;
}

}  // namespace vigie::taxii
