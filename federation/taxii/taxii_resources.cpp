// SPDX-License-Identifier: EUPL-1.2
#include "federation/taxii/taxii_resources.hpp"

#include "core/json_text.hpp"
#include "federation/stix/timestamp.hpp"
#include "federation/taxii/media_type.hpp"
#include "federation/taxii/object_query.hpp"

namespace vigie::taxii {

namespace {

void key(std::string& out, const char* name) {
    if (out.back() != '{') out += ',';
    append_json_string(out, name);
    out += ':';
}

void text_field(std::string& out, const char* name, const std::string& value) {
    if (value.empty()) return;  // TAXII leaves optional properties out rather than empty
    key(out, name);
    append_json_string(out, value);
}

// Timestamps with microseconds: date_added values are sent back as added_after, and a
// rounded one would make a client skip or repeat objects.
std::string timestamp(int64_t us) {
    return stix::format_timestamp(us, true);
}

void page_head(std::string& out, const ObjectPage& page) {
    out += R"({"more":)";
    out += page.more ? "true" : "false";
    if (page.more && page.last_date_added != 0) {
        out += R"(,"next":)";
        append_json_string(out, next_token(page.last_date_added));
    }
}

void entries(std::string& out, const char* name, const std::vector<StatusEntry>& list) {
    if (list.empty()) return;
    key(out, name);
    out += '[';
    for (size_t i = 0; i < list.size(); ++i) {
        if (i > 0) out += ',';
        out += '{';
        text_field(out, "id", list[i].id.empty() ? "unknown" : list[i].id);
        text_field(out, "version", list[i].version);
        text_field(out, "message", list[i].message);
        out += '}';
    }
    out += ']';
}

}  // namespace

std::string discovery_json(const TaxiiSettings& s) {
    std::string out = "{";
    text_field(out, "title", s.discovery_title);
    text_field(out, "description", s.discovery_description);
    text_field(out, "contact", s.contact);
    std::vector<std::string> roots;
    roots.reserve(s.api_roots.size());
    for (const auto& r : s.api_roots) roots.push_back(s.base_url + "/" + r.path + "/");
    const std::string default_root = !s.default_api_root.empty()
                                         ? s.default_api_root
                                         : (s.api_roots.empty() ? "" : s.api_roots[0].path);
    if (!default_root.empty()) text_field(out, "default", s.base_url + "/" + default_root + "/");
    key(out, "api_roots");
    append_json_string_list(out, roots);
    return out + "}";
}

std::string api_root_json(const ApiRootSettings& root, uint64_t max_content_length) {
    std::string out = "{";
    text_field(out, "title", root.title);
    text_field(out, "description", root.description);
    key(out, "versions");
    append_json_string_list(out, {std::string(kTaxiiMediaType)});
    key(out, "max_content_length");
    append_json_number(out, max_content_length);
    return out + "}";
}

std::string collection_json(const CollectionSettings& c, bool can_read, bool can_write) {
    std::string out = "{";
    text_field(out, "id", c.id);
    text_field(out, "title", c.title);
    text_field(out, "description", c.description);
    key(out, "can_read");
    out += can_read ? "true" : "false";
    key(out, "can_write");
    out += can_write ? "true" : "false";
    key(out, "media_types");
    append_json_string_list(out, {std::string(kStixMediaType)});
    return out + "}";
}

std::string envelope_json(const ObjectPage& page) {
    std::string out;
    page_head(out, page);
    if (!page.objects.empty()) {
        out += R"(,"objects":[)";
        for (size_t i = 0; i < page.objects.size(); ++i) {
            if (i > 0) out += ',';
            out += page.objects[i].json;  // stored minified, as it was validated
        }
        out += ']';
    }
    return out + "}";
}

std::string manifest_json(const ObjectPage& page) {
    std::string out;
    page_head(out, page);
    if (!page.objects.empty()) {
        out += R"(,"objects":[)";
        for (size_t i = 0; i < page.objects.size(); ++i) {
            const StoredObject& o = page.objects[i];
            if (i > 0) out += ',';
            out += '{';
            text_field(out, "id", o.id);
            text_field(out, "date_added", timestamp(o.date_added));
            text_field(out, "version", timestamp(o.version));
            text_field(out, "media_type", std::string(kStixMediaType));
            out += '}';
        }
        out += ']';
    }
    return out + "}";
}

std::string versions_json(const ObjectPage& page) {
    std::string out;
    page_head(out, page);
    if (!page.objects.empty()) {
        std::vector<std::string> versions;
        versions.reserve(page.objects.size());
        for (const auto& o : page.objects) versions.push_back(timestamp(o.version));
        out += R"(,"versions":)";
        append_json_string_list(out, versions);
    }
    return out + "}";
}

std::string error_json(unsigned status, const std::string& title, const std::string& description) {
    std::string out = "{";
    text_field(out, "title", title);
    text_field(out, "description", description);
    text_field(out, "http_status", std::to_string(status));
    return out + "}";
}

std::string status_json(const StatusReport& s) {
    std::string out = "{";
    text_field(out, "id", s.id);
    text_field(out, "status", "complete");
    text_field(out, "request_timestamp", timestamp(s.request_timestamp));
    const size_t total = s.successes.size() + s.failures.size();
    out += R"(,"total_count":)" + std::to_string(total);
    out += R"(,"success_count":)" + std::to_string(s.successes.size());
    out += R"(,"failure_count":)" + std::to_string(s.failures.size());
    out += R"(,"pending_count":0)";
    entries(out, "successes", s.successes);
    entries(out, "failures", s.failures);
    return out + "}";
}

}  // namespace vigie::taxii
