// SPDX-License-Identifier: EUPL-1.2
#include "tests/nats/alert_tracker.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <thread>

namespace vigie::test {

namespace {

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The number after "key": in the line, or -1.
int64_t number_after(std::string_view line, std::string_view key) {
    const size_t at = line.find(key);
    if (at == std::string_view::npos) return -1;
    int64_t n = 0;
    size_t i = at + key.size();
    if (i >= line.size() || line[i] < '0' || line[i] > '9') return -1;
    for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) n = n * 10 + (line[i] - '0');
    return n;
}

struct File {
    std::string path;
    FILE* f = nullptr;
    std::string partial;  // a line not yet ended
};

// The alert's "uid" (the hub's Nats-Msg-Id), or empty.
std::string_view uid_of(std::string_view line) {
    constexpr std::string_view key = "\"uid\":\"";
    const size_t at = line.find(key);
    if (at == std::string_view::npos) return {};
    const size_t begin = at + key.size(), end = line.find('"', begin);
    return end == std::string_view::npos ? std::string_view{} : line.substr(begin, end - begin);
}

struct Tally {
    std::vector<uint32_t> counts;   // by seq
    std::vector<std::string> uids;  // by seq: the first alert's uid
    std::vector<int64_t> latencies_ns;
    uint64_t alerts = 0, unique = 0;
    uint64_t other_uid = 0;  // repeats of a seq under another uid: the hub would keep both

    void line(std::string_view text, int64_t read_at) {
        ++alerts;
        const int64_t seq = number_after(text, "\"seq\":");
        if (seq < 0) return;
        if (counts.size() <= static_cast<size_t>(seq)) {
            counts.resize(static_cast<size_t>(seq) * 2 + 1024);
            uids.resize(counts.size());
        }
        const std::string_view uid = uid_of(text);
        if (counts[static_cast<size_t>(seq)]++ == 0) {
            ++unique;
            uids[static_cast<size_t>(seq)] = uid;
        } else if (uids[static_cast<size_t>(seq)] != uid) {
            ++other_uid;
        }
        if (const int64_t ts = number_after(text, "\"ts_ns\":"); ts > 0 && read_at > 0)
            latencies_ns.push_back(read_at - ts);
    }
};

// Reads what was appended to `file` since the last call; true when a line was added.
bool read_more(File& file, Tally& tally, bool timed) {
    if (!file.f && !(file.f = std::fopen(file.path.c_str(), "rb"))) return false;
    char buf[1 << 16];
    bool any = false;
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, file.f)) > 0;) {
        const int64_t at = timed ? now_ns() : 0;
        std::string_view chunk(buf, n);
        for (size_t nl; (nl = chunk.find('\n')) != std::string_view::npos;) {
            file.partial.append(chunk.substr(0, nl));
            tally.line(file.partial, at);
            file.partial.clear();
            chunk.remove_prefix(nl + 1);
            any = true;
        }
        file.partial.append(chunk);
    }
    std::clearerr(file.f);  // at EOF now; more may be appended
    return any;
}

double percentile_ms(std::vector<int64_t>& v, double p) {
    if (v.empty()) return 0;
    const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
    std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
    return static_cast<double>(v[k]) / 1e6;
}

}  // namespace

int track_alerts(const TrackerOptions& o) {
    std::vector<File> files;
    for (const auto& p : o.files) files.push_back(File{p, nullptr, {}});
    Tally tally;
    using clock = std::chrono::steady_clock;
    const auto begin = clock::now();
    auto last_new = begin;
    for (;;) {
        bool any = false;
        for (auto& f : files) any |= read_more(f, tally, o.follow);
        const auto now = clock::now();
        if (any) last_new = now;
        if (!o.follow) break;
        if (o.expect && tally.unique >= o.expect) break;
        if (tally.alerts > 0 && now - last_new > std::chrono::duration<double>(o.idle_seconds))
            break;
        if (now - begin > std::chrono::duration<double>(o.timeout_seconds)) break;
        // Poll interval of tail -f on the alert files, not a synchronisation.
        if (!any) std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    for (auto& f : files)
        if (f.f) std::fclose(f.f);
    uint64_t duplicated = 0, missing = 0, first_missing = 0;
    for (size_t s = 1; s < tally.counts.size(); ++s) duplicated += tally.counts[s] > 1;
    for (uint64_t s = 1; s <= o.expect; ++s) {
        if (s >= tally.counts.size() || tally.counts[s] == 0) {
            if (missing++ == 0) first_missing = s;
        }
    }
    const double p50 = percentile_ms(tally.latencies_ns, 0.50);
    const double p99 = percentile_ms(tally.latencies_ns, 0.99);
    const double max = percentile_ms(tally.latencies_ns, 1.0);
    std::printf(
        "{\"alerts\":%llu,\"unique\":%llu,\"missing\":%llu,\"first_missing\":%llu,"
        "\"duplicated\":%llu,\"repeats_other_uid\":%llu,\"timed\":%zu,\"p50_ms\":%.2f,"
        "\"p99_ms\":%.2f,\"max_ms\":%.2f}\n",
        static_cast<unsigned long long>(tally.alerts),
        static_cast<unsigned long long>(tally.unique), static_cast<unsigned long long>(missing),
        static_cast<unsigned long long>(first_missing), static_cast<unsigned long long>(duplicated),
        static_cast<unsigned long long>(tally.other_uid), tally.latencies_ns.size(), p50, p99, max);
    return missing == 0 ? 0 : 1;
}

}  // namespace vigie::test
