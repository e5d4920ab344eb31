// SPDX-License-Identifier: EUPL-1.2
#include "federation/misp/misp_feed.hpp"

#include <simdjson.h>

#include <fstream>
#include <sstream>

#include "core/http_client.hpp"
#include "core/identifiers.hpp"
#include "core/result.hpp"
#include "federation/stix/json_depth.hpp"

namespace vigie::misp {
namespace {

// A feed file's text, or why it could not be had.
Result<std::string> fetch_url(const std::string& url, const MispFeedLimits& limits) {
    HttpClientRequest request;
    request.url = url;
    request.timeout_ms = limits.timeout_seconds * 1000;
    request.max_response_bytes = limits.max_event_bytes;
    request.interrupt = limits.cancel;
    HttpClient client;
    Result<HttpClientResponse> answer = client.perform(request);
    if (!answer) {
        switch (client.last_failure()) {
            case HttpFailure::cannot_start:
                return Error{"libcurl cannot start"};
            case HttpFailure::interrupted:
                return Error{"stopped (vigie is stopping)"};
            case HttpFailure::too_large:
                return Error{"over the " + std::to_string(limits.max_event_bytes) + "-byte limit"};
            default:
                return Error{client.last_failure_summary()};
        }
    }
    if (answer->status != 200) return Error{"HTTP status " + std::to_string(answer->status)};
    return std::move(answer->body);
}

Result<std::string> read_file(const std::string& path, const MispFeedLimits& limits) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{"cannot read"};
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().size() > limits.max_event_bytes) return Error{"over the size limit"};
    return std::move(text).str();
}

bool is_url(const std::string& s) {
    return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

Result<std::string> fetch(const std::string& location, const std::string& name,
                          const MispFeedLimits& limits) {
    std::string base = location;
    if (!base.empty() && base.back() != '/') base += '/';
    return is_url(location) ? fetch_url(base + name, limits) : read_file(base + name, limits);
}

// The manifest's "timestamp" of an event (MISP writes it as a string; a number is taken
// too), or "" when there is none (such an event is read at every poll).
std::string manifest_timestamp(simdjson::dom::element summary) {
    std::string_view text;
    if (summary["timestamp"].get_string().get(text) == simdjson::SUCCESS) return std::string(text);
    int64_t number = 0;
    if (summary["timestamp"].get_int64().get(number) == simdjson::SUCCESS)
        return std::to_string(number);
    return {};
}

}  // namespace

MispFeedContent read_misp_feed(const std::string& location, const MispEventOptions& options,
                               const MispFeedLimits& limits, MispFeedMemory* memory) {
    MispFeedContent out;
    auto problem = [&](const std::string& where, const std::string& why) {
        out.diagnostics.push_back({Severity::Error, {where, 0, 0}, "", why});
    };
    const std::string manifest_name =
        location + (location.ends_with('/') ? "" : "/") + "manifest.json";
    Result<std::string> fetched = fetch(location, "manifest.json", limits);
    if (!fetched) return problem(manifest_name, fetched.error().message), out;
    const std::string& manifest = *fetched;
    simdjson::dom::parser parser;
    simdjson::dom::object events;
    if (!stix::limit_json_depth(parser)) return problem(manifest_name, "out of memory"), out;
    if (auto error = parser.parse(manifest).get(events); error == simdjson::DEPTH_ERROR) {
        const stix::NestingError nesting = stix::nesting_error(manifest);
        const stix::TextPosition at = stix::TextLocator(manifest).at(nesting.offset.value_or(0));
        out.diagnostics.push_back(
            {Severity::Error, {manifest_name, at.line, at.column}, "", nesting.message});
        return out;
    } else if (error) {
        return problem(manifest_name, "not a MISP manifest (a JSON object of event uuids)"), out;
    }
    for (auto [uuid, summary] : events) {
        if (out.events == limits.max_events) {
            problem(manifest_name, "more than " + std::to_string(limits.max_events) +
                                       " events; the rest is not read");
            break;
        }
        if (limits.cancel != nullptr && limits.cancel->load()) break;
        if (!is_uuid_text(uuid)) {
            problem(manifest_name, "'" + std::string(uuid) + "' is not an event uuid");
            continue;
        }
        const std::string timestamp = manifest_timestamp(summary);
        if (memory && !timestamp.empty()) {
            auto known = memory->event_timestamps.find(uuid);
            if (known != memory->event_timestamps.end() && known->second == timestamp) {
                ++out.unchanged;
                continue;
            }
        }
        ++out.events;
        const std::string name = std::string(uuid) + ".json";
        Result<std::string> event = fetch(location, name, limits);
        MispEventOptions o = options;
        o.origin = location;
        if (!location.ends_with('/')) o.origin += '/';
        o.origin += name;
        if (!event) {
            problem(o.origin, event.error().message);
            continue;
        }
        if (memory && !timestamp.empty()) memory->event_timestamps[std::string(uuid)] = timestamp;
        MispEventContent content = read_misp_event(*event, o);
        out.attributes += content.attributes;
        out.skipped += content.skipped;
        for (auto& i : content.indicators) out.indicators.push_back(std::move(i));
        for (auto& d : content.diagnostics) out.diagnostics.push_back(std::move(d));
    }
    return out;
}

}  // namespace vigie::misp
