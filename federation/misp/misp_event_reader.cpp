// SPDX-License-Identifier: EUPL-1.2
#include "federation/misp/misp_event_reader.hpp"

#include <simdjson.h>

#include <charconv>

#include "core/json_text.hpp"
#include "federation/misp/misp_attributes.hpp"
#include "federation/stix/json_depth.hpp"
#include "federation/stix/object_checks.hpp"
#include "federation/stix/timestamp.hpp"

namespace vigie::misp {
namespace {

namespace dom = simdjson::dom;

// 9999-12-31T23:59:59Z, the last second a STIX timestamp can say; later ones would also
// overflow microseconds (found by fuzz_stix_bundle).
constexpr int64_t kLastSecond = 253402300799;

std::string_view text_of(dom::element e, const char* key) {
    std::string_view s;
    if (e[key].get(s)) return {};
    return s;
}

// MISP writes to_ids as true/false, and older feeds as "1"/"0".
bool truthy(dom::element e, const char* key) {
    bool b = false;
    if (!e[key].get(b)) return b;
    std::string_view s = text_of(e, key);
    return s == "1" || s == "true";
}

std::optional<stix::Tlp> tlp_of_tags(dom::element e) {
    dom::array tags;
    if (e["Tag"].get(tags)) return std::nullopt;
    std::optional<stix::Tlp> strictest;
    for (auto tag : tags) {
        auto level = stix::parse_tlp(text_of(tag, "name"));
        if (level && (!strictest || *level > *strictest)) strictest = level;
    }
    return strictest;
}

std::string indicator_json(const stix::Indicator& ind, std::string_view type,
                           std::string_view stamp) {
    std::string b = R"({"type":"indicator","spec_version":"2.1","id":")" + ind.id +
                    R"(","created":")" + std::string(stamp) + R"(","modified":")" +
                    std::string(stamp) + R"(","name":)";
    append_json_string(b, ind.name);
    b += R"(,"pattern_type":"stix","pattern":)";
    append_json_string(b, ind.pattern);
    b += R"(,"valid_from":")" + std::string(stamp) + R"(","labels":[)";
    append_json_string(b, "misp:" + std::string(type));
    b += R"(],"object_marking_refs":[")" + std::string(stix::tlp_marking_id(ind.tlp)) + "\"]}";
    return b;
}

class EventReader {
  public:
    EventReader(const MispEventOptions& options, MispEventContent& out)
        : options_(options), out_(out) {}

    void attribute(dom::element a, const std::string& where, std::string_view info,
                   std::optional<stix::Tlp> event_tlp) {
        ++out_.attributes;
        const std::string_view uuid = text_of(a, "uuid");
        const std::string_view type = text_of(a, "type");
        if (!truthy(a, "to_ids") || truthy(a, "deleted")) return void(++out_.skipped);
        auto pattern = attribute_pattern(type, text_of(a, "value"));
        if (!pattern) return void(++out_.skipped);
        stix::Indicator ind;
        ind.id = "indicator--" + std::string(uuid);
        if (!stix::valid_stix_id(ind.id, "indicator"))
            return refuse(where, uuid, "uuid: not a UUID");
        int64_t seconds = 0;
        const std::string_view ts = text_of(a, "timestamp");
        auto r = std::from_chars(ts.data(), ts.data() + ts.size(), seconds);
        if (ts.empty() || r.ec != std::errc() || r.ptr != ts.data() + ts.size() || seconds < 0 ||
            seconds > kLastSecond)
            return refuse(where, uuid, "timestamp: not seconds since the epoch up to year 9999");
        ind.created_us = ind.modified_us = ind.valid_from_us = seconds * 1000000;
        ind.pattern = std::move(*pattern);
        ind.name = std::string(info) + " (" + std::string(type) + ")";
        ind.labels = {"misp:" + std::string(type)};
        ind.tlp = tlp_of_tags(a).value_or(event_tlp.value_or(options_.default_tlp));
        ind.marking_refs = {std::string(stix::tlp_marking_id(ind.tlp))};
        ind.source = options_.source;
        ind.json = indicator_json(ind, type, stix::format_timestamp(ind.created_us));
        out_.indicators.push_back(std::move(ind));
    }

    void refuse(const std::string& where, std::string_view uuid, const std::string& why) {
        out_.diagnostics.push_back(
            {Severity::Error, {options_.origin, 0, 0}, std::string(uuid), where + ": " + why});
    }

    void attributes(dom::element holder, const std::string& where, std::string_view info,
                    std::optional<stix::Tlp> tlp) {
        dom::array list;
        if (holder["Attribute"].get(list)) return;
        size_t i = 0;
        for (auto a : list)
            attribute(a, where + ".Attribute[" + std::to_string(i++) + "]", info, tlp);
    }

  private:
    const MispEventOptions& options_;
    MispEventContent& out_;
};

}  // namespace

MispEventContent read_misp_event(std::string_view text, const MispEventOptions& options) {
    MispEventContent out;
    if (text.size() > options.max_bytes) {
        out.diagnostics.push_back(
            {Severity::Error, {options.origin, 0, 0}, "", "over the size limit"});
        return out;
    }
    // The event is one document: one nested too deep is refused whole, at the place where
    // it goes deeper than the limit, and the feed's other events are read.
    dom::parser parser;
    dom::element doc, event;
    if (!stix::limit_json_depth(parser)) {
        out.diagnostics.push_back({Severity::Error, {options.origin, 0, 0}, "", "out of memory"});
        return out;
    }
    if (auto error = parser.parse(text.data(), text.size()).get(doc);
        error == simdjson::DEPTH_ERROR) {
        const stix::NestingError nesting = stix::nesting_error(text);
        const stix::TextPosition at = stix::TextLocator(text).at(nesting.offset.value_or(0));
        out.diagnostics.push_back(
            {Severity::Error, {options.origin, at.line, at.column}, "", nesting.message});
        return out;
    } else if (error) {
        out.diagnostics.push_back(
            {Severity::Error,
             {options.origin, 0, 0},
             "",
             std::string("malformed JSON: ") + simdjson::error_message(error)});
        return out;
    }
    if (doc["Event"].get(event) || !event.is_object()) {
        out.diagnostics.push_back(
            {Severity::Error, {options.origin, 0, 0}, "", "not a MISP event ({\"Event\":{...}})"});
        return out;
    }
    const std::string_view info = text_of(event, "info");
    const auto tlp = tlp_of_tags(event);
    EventReader reader(options, out);
    reader.attributes(event, "Event", info, tlp);
    dom::array objects;
    if (!event["Object"].get(objects)) {
        size_t i = 0;
        for (auto o : objects)
            reader.attributes(o, "Event.Object[" + std::to_string(i++) + "]", info, tlp);
    }
    return out;
}

}  // namespace vigie::misp
