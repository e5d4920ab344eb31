// SPDX-License-Identifier: EUPL-1.2
#include "pipeline/alerts/event_details_reader.hpp"

#include "core/json_text.hpp"
#include "pipeline/alerts/event_time.hpp"

namespace vigie {

namespace {

// "a.b~c" -> "/a/b~0c" (RFC 6901 escapes).
std::string json_pointer(std::string_view dotted) {
    std::string p = "/";
    for (char c : dotted) {
        if (c == '.') {
            p += '/';
        } else if (c == '~') {
            p += "~0";
        } else if (c == '/') {
            p += "~1";
        } else {
            p += c;
        }
    }
    return p;
}

}  // namespace

EventDetailsReader::EventDetailsReader(const AlertContentSettings& settings,
                                       const std::vector<std::string>& key_fields) {
    auto paths = [](const std::vector<std::string>& list) {
        std::vector<Path> out;
        out.reserve(list.size());
        for (const auto& dotted : list) out.push_back({dotted, json_pointer(dotted)});
        return out;
    };
    time_paths_ = paths(settings.time_fields);
    host_paths_ = paths(settings.host_fields);
    if (settings.include_event) subset_paths_ = paths(settings.event_fields);
    key_paths_ = paths(key_fields);
}

std::optional<simdjson::dom::element> EventDetailsReader::find(simdjson::dom::element root,
                                                               const Path& path) const {
    simdjson::dom::element found;
    if (root.at_pointer(path.pointer).get(found) == simdjson::SUCCESS) return found;
    // Flattened sources write "host.name" as one key.
    simdjson::dom::object obj;
    if (path.dotted.find('.') != std::string::npos &&
        root.get_object().get(obj) == simdjson::SUCCESS &&
        obj.at_key(path.dotted).get(found) == simdjson::SUCCESS) {
        return found;
    }
    return std::nullopt;
}

void EventDetailsReader::build_subset(simdjson::dom::element root) {
    subset_ = "{";
    for (const Path& path : subset_paths_) {
        auto value = find(root, path);
        if (!value) continue;
        if (subset_.size() > 1) subset_ += ',';
        append_json_string(subset_, path.dotted);
        subset_ += ':';
        subset_ += simdjson::minify(*value);
    }
    subset_ += '}';
}

EventDetails EventDetailsReader::read(std::string_view event_json) {
    EventDetails details;
    simdjson::dom::element root;
    if (parser_.parse(event_json.data(), event_json.size(), true).get(root) != simdjson::SUCCESS) {
        return details;
    }
    details.parsed = true;
    for (const Path& path : time_paths_) {
        auto value = find(root, path);
        if (!value) continue;
        std::string_view text;
        double number = 0;
        if (value->get_string().get(text) == simdjson::SUCCESS) {
            details.time_ms = parse_event_time(text);
        } else if (value->get_double().get(number) == simdjson::SUCCESS) {
            details.time_ms = event_time_from_number(number);
        }
        if (details.time_ms) break;
    }
    for (const Path& path : host_paths_) {
        auto value = find(root, path);
        std::string_view text;
        if (value && value->get_string().get(text) == simdjson::SUCCESS && !text.empty()) {
            host_.assign(text);
            details.host = host_;
            break;
        }
    }
    if (!subset_paths_.empty()) {
        build_subset(root);
        details.subset = subset_;
    }
    key_.clear();
    for (const Path& path : key_paths_) {
        if (auto value = find(root, path)) key_ += simdjson::minify(*value);
        key_ += '\0';
    }
    details.key = key_;
    return details;
}

}  // namespace vigie
