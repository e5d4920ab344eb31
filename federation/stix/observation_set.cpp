// SPDX-License-Identifier: EUPL-1.2
#include "federation/stix/observation_set.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "federation/stix/timestamp.hpp"

namespace vigie::stix {
namespace {

std::string object_label(const JsonValue& object) {
    std::string_view id = object.string_or("id", "");
    return id.empty() ? std::string("an observed-data without an id") : std::string(id);
}

// first_observed / last_observed: required STIX timestamps, first <= last.
Status read_window(const JsonValue& object, ObservedData& out) {
    auto read = [&](const char* key, int64_t& us) -> Status {
        auto ts = parse_timestamp(object.string_or(key, ""));
        if (!ts)
            return Error{object_label(object) + ": " + key + " is missing or not a STIX timestamp"};
        us = *ts;
        return {};
    };
    if (auto read_first = read("first_observed", out.first_observed_us); !read_first)
        return read_first;
    if (auto read_last = read("last_observed", out.last_observed_us); !read_last) return read_last;
    if (out.first_observed_us > out.last_observed_us)
        return Error{object_label(object) + ": first_observed is after last_observed"};
    return {};
}

}  // namespace

Status ObservationSet::add_object(const JsonValue& object) {
    if (object.kind != JsonValue::Kind::Object)
        return Error{"an element that is not a JSON object"};
    std::string_view type = object.string_or("type", "");
    std::string_view id = object.string_or("id", "");
    if (type != "observed-data") {
        if (!id.empty()) sco_by_id_.emplace(std::string(id), &object);
        return {};
    }
    ObservedData data;
    data.id = object_label(object);
    if (auto window = read_window(object, data); !window) return window;
    const JsonValue* count = object.find("number_observed");
    if (count == nullptr || count->kind != JsonValue::Kind::Int || count->integer < 1)
        return Error{data.id + ": number_observed must be an integer >= 1"};
    data.number_observed = count->integer;
    if (const JsonValue* embedded = object.find("objects");
        embedded != nullptr && embedded->kind == JsonValue::Kind::Object)
        data.embedded_objects = embedded;
    if (const JsonValue* refs = object.find("object_refs");
        refs != nullptr && refs->kind == JsonValue::Kind::Array) {
        for (const JsonValue& ref : refs->items)
            if (ref.kind == JsonValue::Kind::String) data.object_refs.push_back(ref.text);
    }
    if (data.embedded_objects == nullptr && data.object_refs.empty())
        return Error{data.id + ": neither object_refs (STIX 2.1) nor objects (STIX 2.0)"};
    observed_.push_back(std::move(data));
    return {};
}

Status ObservationSet::add_document(std::string_view json_text, const std::string& origin) {
    const std::string prefix = origin.empty() ? "" : origin + ": ";
    Result<JsonValue> parsed = parse_json(json_text);
    if (!parsed) {
        const Error& error = parsed.error();
        if (error.where.line == 0) return Error{prefix + error.message};
        const std::string line = std::to_string(error.where.line);
        const std::string column = std::to_string(error.where.column);
        return Error{(origin.empty() ? "line " + line + ", column " + column
                                     : origin + ":" + line + ":" + column) +
                     ": " + error.message};
    }
    const JsonValue& doc = documents_.emplace_back(std::move(parsed).value());
    if (auto added = add_objects(doc); !added) return Error{prefix + added.error().message};
    return {};
}

Status ObservationSet::add_objects(const JsonValue& doc) {
    const JsonValue* objects = &doc;
    if (doc.kind == JsonValue::Kind::Object) {
        if (doc.string_or("type", "") != "bundle")
            return Error{
                "expected a STIX bundle ({\"type\": \"bundle\", ...}) or an array of objects"};
        objects = doc.find("objects");
        if (objects == nullptr) return {};  // an empty bundle
    }
    if (objects->kind != JsonValue::Kind::Array)
        return Error{"expected a STIX bundle or a JSON array of objects"};
    for (const JsonValue& object : objects->items)
        if (auto added = add_object(object); !added) return added;
    return {};
}

void ObservationSet::finish() {
    for (ObservedData& data : observed_) {
        data.objects.clear();
        if (data.embedded_objects != nullptr)
            for (const auto& [key, object] : data.embedded_objects->members)
                data.objects.emplace_back(key, &object);
        for (const std::string& ref : data.object_refs) {
            auto it = sco_by_id_.find(ref);
            if (it == sco_by_id_.end())
                ++unresolved_refs_;
            else
                data.objects.emplace_back(ref, it->second);
        }
    }
}

const JsonValue* ObservationSet::resolve(const ObservedData& from, std::string_view ref) const {
    if (from.embedded_objects != nullptr)
        if (const JsonValue* local = from.embedded_objects->find(ref)) return local;
    auto it = sco_by_id_.find(std::string(ref));
    return it == sco_by_id_.end() ? nullptr : it->second;
}

Status load_observation_files(const std::vector<std::string>& paths, ObservationSet& set) {
    for (const std::string& path : paths) {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) return Error{path + ": is a directory"};
        std::ifstream in(path, std::ios::binary);
        if (!in) return Error{path + ": cannot be read"};
        std::ostringstream text;
        text << in.rdbuf();
        if (in.bad()) return Error{path + ": read error"};
        if (auto added = set.add_document(text.str(), path); !added) return added;
    }
    set.finish();
    return {};
}

}  // namespace vigie::stix
