// SPDX-License-Identifier: EUPL-1.2
#include "service/nats/stream_config_check.hpp"

#include <stdexcept>

#include "service/nats/jetstream_setup.hpp"

namespace vigie {

namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

std::vector<std::string> tokens_of(const std::string& subject) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        const size_t dot = subject.find('.', start);
        out.push_back(subject.substr(start, dot - start));
        if (dot == std::string::npos) return out;
        start = dot + 1;
    }
}

std::string seconds_text(int64_t ns, const char* zero_means) {
    if (ns <= 0) return std::string("0 (") + zero_means + ")";
    const int64_t whole = ns / kNanosPerSecond;
    if (whole * kNanosPerSecond == ns) return std::to_string(whole);
    return std::to_string(static_cast<double>(ns) / kNanosPerSecond);
}

std::string bytes_text(int64_t bytes) {
    return bytes <= 0 ? std::string("0 (unlimited)") : std::to_string(bytes);
}

std::string list_text(const std::vector<std::string>& items) {
    std::string out = "[";
    for (const auto& item : items) out += (out.size() > 1 ? ", " : "") + item;
    return out + "]";
}

}  // namespace

bool subject_covers(const std::string& pattern, const std::string& subject) {
    const std::vector<std::string> p = tokens_of(pattern), s = tokens_of(subject);
    for (size_t i = 0; i < p.size(); ++i) {
        if (p[i] == ">") return i < s.size();  // the rest, at least one token
        if (i >= s.size()) return false;
        if (s[i] == ">") return false;  // a pattern token narrower than "the rest"
        if (p[i] != "*" && (s[i] == "*" || p[i] != s[i])) return false;
    }
    return p.size() == s.size();
}

std::vector<StreamDifference> stream_differences(const NatsSettings& settings,
                                                 const StreamFacts& stream) {
    const NatsStreamSettings& want = settings.stream_settings;
    std::vector<StreamDifference> out;
    auto differ = [&](const char* key, const std::string& has, const std::string& says) {
        out.push_back({std::string("nats.") + key, "nats stream " + stream.name + " has " + key +
                                                       " " + has + ", the configuration says " +
                                                       says});
    };
    if (stream.replicas != static_cast<int64_t>(want.replicas))
        differ("replicas", std::to_string(stream.replicas), std::to_string(want.replicas));
    const auto want_age = static_cast<int64_t>(want.max_age_seconds) * kNanosPerSecond;
    if (stream.max_age_ns != want_age)
        differ("max_age_seconds", seconds_text(stream.max_age_ns, "unlimited"),
               seconds_text(want_age, "unlimited"));
    const int64_t want_bytes = want.max_bytes == 0 ? -1 : static_cast<int64_t>(want.max_bytes);
    if ((stream.max_bytes <= 0 ? -1 : stream.max_bytes) != want_bytes)
        differ("max_bytes", bytes_text(stream.max_bytes), bytes_text(want_bytes));
    const auto want_window = static_cast<int64_t>(want.duplicate_window_seconds) * kNanosPerSecond;
    if (stream.duplicate_window_ns != want_window)
        differ("duplicate_window_seconds", seconds_text(stream.duplicate_window_ns, "none"),
               seconds_text(want_window, "none"));
    bool covered = false;
    for (const auto& pattern : stream.subjects)
        covered |= subject_covers(pattern, settings.subjects);
    if (!covered)
        out.push_back({"nats.subjects", "nats stream " + stream.name + " takes subjects " +
                                            list_text(stream.subjects) +
                                            ", which do not cover the configuration's " +
                                            settings.subjects + ": those events are not stored"});
    return out;
}

StreamCheckOutcome check_stream_settings(const NatsSettings& settings, const ConfigPlaces& places,
                                         int timeout_ms) {
    StreamCheckOutcome outcome;
    auto warn = [&](const std::string& key, const std::string& message) {
        outcome.diagnostics.push_back({Severity::Warning, places.of(key), {}, message});
    };
    // No logger: nothing of this short connection is logged. Static: the client may call
    // back after a failed connection attempt returned.
    static NatsEvents events;
    events.closing = true;
    NatsHandles handles;
    try {
        connect_nats(settings, events, handles, timeout_ms);
        const std::optional<StreamFacts> stream = read_stream(handles, settings.stream);
        close_jetstream(handles);
        if (!stream) {
            outcome.note = "nats stream " + settings.stream +
                           " does not exist yet: vigie serve creates it with the configured "
                           "settings";
            return outcome;
        }
        for (auto& d : stream_differences(settings, *stream)) warn(d.key, d.key + ": " + d.message);
    } catch (const std::runtime_error& e) {
        close_jetstream(handles);
        warn("nats.url", std::string("nats.url: stream settings not compared: ") + e.what());
    }
    return outcome;
}

}  // namespace vigie
