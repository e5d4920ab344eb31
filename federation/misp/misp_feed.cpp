#include "federation/misp/misp_feed.hpp"

#include <curl/curl.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>

#include "federation/stix/json_depth.hpp"

namespace vigie::misp {
namespace {

struct Fetched {
    std::string body;
    std::string error;  // empty: fetched
};

size_t append_capped(char* data, size_t size, size_t n, void* user) {
    auto* f = static_cast<std::pair<std::string*, size_t>*>(user);
    if (f->first->size() + size * n > f->second) return 0;  // aborts the transfer
    f->first->append(data, size * n);
    return size * n;
}

// libcurl's progress callback: non-zero aborts the transfer.
int abort_when_cancelled(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const auto* flag = static_cast<const std::atomic<bool>*>(cancel);
    return flag != nullptr && flag->load() ? 1 : 0;
}

Fetched fetch_url(const std::string& url, const MispFeedLimits& limits) {
    Fetched out;
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return {{}, "libcurl cannot start"};
    std::pair<std::string*, size_t> sink{&out.body, limits.max_event_bytes};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_capped);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, limits.timeout_seconds);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    if (limits.cancel != nullptr) {
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, abort_when_cancelled);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(limits.cancel));
    }
    const CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    if (code == CURLE_ABORTED_BY_CALLBACK)
        out.error = "stopped (vigie is stopping)";
    else if (code == CURLE_WRITE_ERROR)
        out.error = "over the " + std::to_string(limits.max_event_bytes) + "-byte limit";
    else if (code != CURLE_OK)
        out.error = curl_easy_strerror(code);
    else if (status != 200)
        out.error = "HTTP status " + std::to_string(status);
    return out;
}

Fetched read_file(const std::string& path, const MispFeedLimits& limits) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {{}, "cannot read"};
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().size() > limits.max_event_bytes) return {{}, "over the size limit"};
    return {text.str(), {}};
}

bool is_url(const std::string& s) {
    return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

Fetched fetch(const std::string& location, const std::string& name, const MispFeedLimits& limits) {
    std::string base = location;
    if (!base.empty() && base.back() != '/') base += '/';
    return is_url(location) ? fetch_url(base + name, limits) : read_file(base + name, limits);
}

bool valid_uuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        const char c = s[i];
        if (dash ? c != '-'
                 : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
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
    Fetched manifest = fetch(location, "manifest.json", limits);
    if (!manifest.error.empty()) return problem(manifest_name, manifest.error), out;
    simdjson::dom::parser parser;
    simdjson::dom::object events;
    if (!stix::limit_json_depth(parser)) return problem(manifest_name, "out of memory"), out;
    if (auto error = parser.parse(manifest.body).get(events); error == simdjson::DEPTH_ERROR) {
        const stix::NestingError nesting = stix::nesting_error(manifest.body);
        const stix::TextPosition at =
            stix::TextLocator(manifest.body).at(nesting.offset.value_or(0));
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
        if (!valid_uuid(uuid)) {
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
        Fetched event = fetch(location, name, limits);
        MispEventOptions o = options;
        o.origin = location;
        if (!location.ends_with('/')) o.origin += '/';
        o.origin += name;
        if (!event.error.empty()) {
            problem(o.origin, event.error);
            continue;
        }
        if (memory && !timestamp.empty()) memory->event_timestamps[std::string(uuid)] = timestamp;
        MispEventContent content = read_misp_event(event.body, o);
        out.attributes += content.attributes;
        out.skipped += content.skipped;
        for (auto& i : content.indicators) out.indicators.push_back(std::move(i));
        for (auto& d : content.diagnostics) out.diagnostics.push_back(std::move(d));
    }
    return out;
}

}  // namespace vigie::misp
