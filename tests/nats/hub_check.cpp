// SPDX-License-Identifier: EUPL-1.2
#include "tests/nats/hub_check.hpp"

#include <nats/nats.h>

#include <chrono>
#include <cstdio>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "tests/nats/nats_handles.hpp"
#include "tests/nats/tool_connect.hpp"

namespace vigie::test {

namespace {

using Hub = NatsHandles;

int failed(const std::string& what, natsStatus s, jsErrCode jerr = static_cast<jsErrCode>(0)) {
    std::fprintf(stderr, "vigie-nats-tool: %s: %s", what.c_str(), natsStatus_GetText(s));
    if (jerr) std::fprintf(stderr, " (JetStream error %d)", static_cast<int>(jerr));
    std::fprintf(stderr, "\n");
    return 1;
}

bool connect(const HubOptions& o, Hub& h) {
    if (!tool_options(ToolServer{o.url, o.user, o.password, {}}, h.options)) return false;
    natsStatus s = natsConnection_Connect(&h.nc, h.options);
    if (s == NATS_OK) s = natsConnection_JetStream(&h.js, h.nc, nullptr);
    if (s != NATS_OK) return failed("connect to " + o.url, s), false;
    return true;
}

std::vector<std::string> split(const std::string& list) {
    std::vector<std::string> out;
    size_t from = 0;
    for (size_t comma; (comma = list.find(',', from)) != std::string::npos; from = comma + 1)
        if (comma > from) out.push_back(list.substr(from, comma - from));
    if (from < list.size()) out.push_back(list.substr(from));
    return out;
}

// The number after "key": at or after `from`, or -1.
int64_t number_after(std::string_view text, std::string_view key, size_t from = 0) {
    const size_t at = text.find(key, from);
    if (at == std::string_view::npos) return -1;
    size_t i = at + key.size();
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return -1;
    int64_t n = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) n = n * 10 + (text[i] - '0');
    return n;
}

// The string after "key":" in the text, or empty.
std::string_view string_after(std::string_view text, std::string_view key) {
    const size_t at = text.find(key);
    if (at == std::string_view::npos || at + key.size() >= text.size() ||
        text[at + key.size()] != '"')
        return {};
    const size_t begin = at + key.size() + 1, end = text.find('"', begin);
    return end == std::string_view::npos ? std::string_view{} : text.substr(begin, end - begin);
}

struct Tally {
    uint64_t messages = 0, no_seq = 0, id_mismatch = 0, duplicate_seqs = 0, distinct_seqs = 0;
    std::unordered_set<std::string> ids;
    std::vector<uint32_t> seqs;  // alerts by seq

    void add(natsMsg* msg) {
        ++messages;
        const std::string_view data(natsMsg_GetData(msg),
                                    static_cast<size_t>(natsMsg_GetDataLength(msg)));
        const std::string_view uid = string_after(data, "\"uid\":");
        const char* header = nullptr;
        if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &header) != NATS_OK) header = nullptr;
        if (!header || uid != header) ++id_mismatch;
        ids.emplace(header ? std::string(header) : std::string(uid));
        const size_t event = data.find("\"event\":{");
        const int64_t seq =
            event == std::string_view::npos ? -1 : number_after(data, "\"seq\":", event);
        if (seq < 0) {
            ++no_seq;
            return;
        }
        if (seqs.size() <= static_cast<size_t>(seq)) seqs.resize(static_cast<size_t>(seq) * 2 + 1);
        if (seqs[static_cast<size_t>(seq)]++ == 0)
            ++distinct_seqs;
        else
            ++duplicate_seqs;
    }
};

// A cluster answers JetStream API requests again once its leaders are elected (seconds
// after a node's loss): a request that fails is tried again for up to 30 s.
template <class Request>
natsStatus with_retries(Request request) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
        const natsStatus s = request();
        if (s == NATS_OK || std::chrono::steady_clock::now() >= until) return s;
        // Retry pause of a request the hub refuses while it elects a leader.
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
}

}  // namespace

int hub_stream(const HubOptions& o) {
    Hub h;
    if (!connect(o, h)) return 1;
    const std::vector<std::string> subjects = split(o.subjects);
    std::vector<const char*> names;
    names.reserve(subjects.size());
    for (const auto& s : subjects) names.push_back(s.c_str());
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    sc.Name = o.stream.c_str();
    sc.Subjects = names.data();
    sc.SubjectsLen = static_cast<int>(names.size());
    sc.Storage = js_FileStorage;
    sc.Duplicates = static_cast<int64_t>(o.duplicate_window * 1e9);
    sc.MaxBytes = o.max_bytes;
    sc.Replicas = o.replicas;
    jsStreamInfo* si = nullptr;
    jsErrCode jerr{};
    natsStatus s = js_AddStream(&si, h.js, &sc, nullptr, &jerr);
    if (s != NATS_OK && jerr == JSStreamNameExistErr)
        s = js_UpdateStream(&si, h.js, &sc, nullptr, &jerr);
    if (s != NATS_OK) return failed("stream " + o.stream, s, jerr);
    std::printf(
        "{\"stream\":\"%s\",\"messages\":%llu,\"duplicate_window\":%.0f,\"replicas\":%lld}\n",
        o.stream.c_str(), static_cast<unsigned long long>(si->State.Msgs),
        static_cast<double>(si->Config->Duplicates) / 1e9,
        static_cast<long long>(si->Config->Replicas));
    jsStreamInfo_Destroy(si);
    return 0;
}

int hub_check(const HubOptions& o) {
    Hub h;
    if (!connect(o, h)) return 1;
    const auto begin = std::chrono::steady_clock::now();
    const auto deadline = begin + std::chrono::duration<double>(o.timeout);
    jsStreamInfo* si = nullptr;
    for (;;) {
        jsErrCode jerr{};
        if (natsStatus s = with_retries(
                [&] { return js_GetStreamInfo(&si, h.js, o.stream.c_str(), nullptr, &jerr); });
            s != NATS_OK)
            return failed("stream " + o.stream, s, jerr);
        if (si->State.Msgs >= o.expect || std::chrono::steady_clock::now() >= deadline) break;
        jsStreamInfo_Destroy(si);
        // Poll interval of a bounded wait for the expected messages.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    const uint64_t stored = si->State.Msgs, last = si->State.LastSeq;
    const std::string filter = si->Config->SubjectsLen > 0 ? si->Config->Subjects[0] : ">";
    jsStreamInfo_Destroy(si);
    const double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();

    // Every message up to the last one stored now, through an ordered consumer.
    Tally tally;
    if (stored > 0) {
        jsSubOptions so;
        jsSubOptions_Init(&so);
        so.Stream = o.stream.c_str();
        so.Ordered = true;
        natsSubscription* sub = nullptr;
        jsErrCode jerr{};
        if (natsStatus s = with_retries(
                [&] { return js_SubscribeSync(&sub, h.js, filter.c_str(), nullptr, &so, &jerr); });
            s != NATS_OK)
            return failed("ordered consumer on " + o.stream, s, jerr);
        for (uint64_t at = 0; at < last;) {
            natsMsg* msg = nullptr;
            if (natsStatus s = natsSubscription_NextMsg(&msg, sub, 10000); s != NATS_OK) {
                natsSubscription_Destroy(sub);
                return failed("reading " + o.stream + " after sequence " + std::to_string(at), s);
            }
            jsMsgMetaData* meta = nullptr;
            if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
                at = meta->Sequence.Stream;
                jsMsgMetaData_Destroy(meta);
            }
            tally.add(msg);
            natsMsg_Destroy(msg);
        }
        natsSubscription_Unsubscribe(sub);
        natsSubscription_Destroy(sub);
    }
    uint64_t missing = 0;
    for (uint64_t seq = 1; seq <= o.expect; ++seq)
        if (seq >= tally.seqs.size() || tally.seqs[seq] == 0) ++missing;
    std::printf(
        "{\"messages\":%llu,\"distinct_ids\":%llu,\"distinct_seqs\":%llu,\"duplicate_seqs\":%llu,"
        "\"missing_seqs\":%llu,\"no_seq\":%llu,\"id_mismatch\":%llu,\"expected\":%llu,"
        "\"waited_seconds\":%.1f}\n",
        static_cast<unsigned long long>(tally.messages),
        static_cast<unsigned long long>(tally.ids.size()),
        static_cast<unsigned long long>(tally.distinct_seqs),
        static_cast<unsigned long long>(tally.duplicate_seqs),
        static_cast<unsigned long long>(missing), static_cast<unsigned long long>(tally.no_seq),
        static_cast<unsigned long long>(tally.id_mismatch),
        static_cast<unsigned long long>(o.expect), waited);
    const bool once = tally.ids.size() == tally.messages && tally.duplicate_seqs == 0;
    return once && missing == 0 && tally.id_mismatch == 0 ? 0 : 1;
}

}  // namespace vigie::test
