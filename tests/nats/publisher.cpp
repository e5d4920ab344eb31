// SPDX-License-Identifier: EUPL-1.2
#include "tests/nats/publisher.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "tests/nats/nats_handles.hpp"

namespace vigie::test {

namespace {

using Clock = std::chrono::steady_clock;

// Set by the server's asynchronous error: a publish refused for permissions is final.
std::atomic<bool> not_permitted{false};

void on_server_error(natsConnection* nc, natsSubscription*, natsStatus err, void*) {
    if (err == NATS_NOT_PERMITTED) not_permitted = true;
    const char* text = nullptr;
    natsConnection_GetLastError(nc, &text);
    std::fprintf(stderr, "vigie-nats-tool: server error: %s\n",
                 text && *text ? text : natsStatus_GetText(err));
}

// The messages between their publication and their acknowledgement, shared with the
// library's ack handler thread: a refused one waits here for its next try, under the
// same natsMsg (so the same Nats-Msg-Id header).
class Outbox {
  public:
    explicit Outbox(const PublishOptions& o) : o_(o) {}

    std::atomic<int64_t> in_flight{0};
    std::atomic<uint64_t> acked{0}, resent{0}, duplicates{0}, errors{0};

    void on_acked(natsMsg* msg, bool duplicate) {
        {
            std::lock_guard lock(mu_);
            if (auto it = tries_.find(msg); it != tries_.end()) {
                longest_wait_ = std::max(longest_wait_, Clock::now() - it->second.first);
                tries_.erase(it);
            }
        }
        ++acked;
        if (duplicate) ++duplicates;
        natsMsg_Destroy(msg);
    }

    // Takes the message: resent later, or given up (destroyed, counted, named on stderr).
    void on_refused(natsMsg* msg, natsStatus s, jsErrCode code, const char* text) {
        const auto now = Clock::now();
        Tries given_up;
        {
            std::lock_guard lock(mu_);
            Tries& t = tries_[msg];
            if (t.count++ == 0) t.first = now;
            // Without an id only "no responders" is safe to resend: no stream took it.
            const bool resendable = !not_permitted && (has_id() || s == NATS_NO_RESPONDERS);
            if (resendable && !told_) {  // once: the tests wait on it, an operator sees it
                told_ = true;
                std::fprintf(stderr,
                             "vigie-nats-tool: a message was refused (%s); resending "
                             "each refused message under its own id until acknowledged\n",
                             text && *text ? text : natsStatus_GetText(s));
            }
            if (resendable && now - t.first < std::chrono::duration<double>(o_.retry_seconds)) {
                const auto backoff = std::chrono::milliseconds(100 << std::min(t.count - 1, 3U));
                waiting_.push_back(Waiting{msg, now + backoff});
                return;
            }
            given_up = t;
            tries_.erase(msg);
        }
        if (errors++ < 10) report_given_up(msg, given_up, now, s, code, text);
        natsMsg_Destroy(msg);
    }

    // The refused messages whose next try is due.
    std::vector<natsMsg*> due() {
        std::vector<natsMsg*> out;
        const auto now = Clock::now();
        std::deque<Waiting> later;
        std::lock_guard lock(mu_);
        for (const Waiting& w : waiting_) {
            if (w.due <= now)
                out.push_back(w.msg);
            else
                later.push_back(w);
        }
        waiting_.swap(later);
        return out;
    }

    // The longest time a message took from its first refusal to its ack: how long the
    // stream could not take messages, as a publisher sees it.
    double longest_wait_seconds() {
        std::lock_guard lock(mu_);
        return std::chrono::duration<double>(longest_wait_).count();
    }

    bool idle() {
        std::lock_guard lock(mu_);
        return in_flight.load() == 0 && waiting_.empty();
    }

  private:
    struct Tries {
        Clock::time_point first;
        uint32_t count = 0;
    };
    struct Waiting {
        natsMsg* msg;
        Clock::time_point due;
    };

    bool has_id() const { return !o_.raw || !o_.id_prefix.empty(); }

    void report_given_up(natsMsg* msg, const Tries& t, Clock::time_point now, natsStatus s,
                         jsErrCode code, const char* text) const {
        const char* id = nullptr;
        if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) != NATS_OK) id = nullptr;
        std::string why = text && *text ? text : natsStatus_GetText(s);
        if (code != 0) why += " (JetStream error " + std::to_string(static_cast<int>(code)) + ")";
        if (not_permitted)
            why += "; the server refused a publish for permissions";
        else if (!has_id() && s != NATS_NO_RESPONDERS)
            why += "; --raw without --id-prefix: no id, so not resent";
        std::fprintf(stderr,
                     "vigie-nats-tool: message %s on %s: not acknowledged by the stream after %u "
                     "tries over %.1f s (--retry-seconds %g); the last: %s\n",
                     id ? id : "(no id: --raw without --id-prefix)", natsMsg_GetSubject(msg),
                     t.count, std::chrono::duration<double>(now - t.first).count(),
                     o_.retry_seconds, why.c_str());
    }

    const PublishOptions& o_;
    std::mutex mu_;
    std::unordered_map<natsMsg*, Tries> tries_;  // messages refused at least once
    std::deque<Waiting> waiting_;
    bool told_ = false;
    Clock::duration longest_wait_{};
};

void on_ack(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure) {
    auto* box = static_cast<Outbox*>(closure);
    if (pa)
        box->on_acked(msg, pa->Duplicate);
    else
        box->on_refused(msg, pae ? pae->Err : NATS_ERR,
                        pae ? pae->ErrCode : static_cast<jsErrCode>(0),
                        pae ? pae->ErrText : nullptr);
    --box->in_flight;
}

// The ack (or the refusal, or the timeout after po.MaxWait) comes to on_ack.
void send(jsCtx* js, natsMsg* msg, jsPubOptions& po, Outbox& box) {
    ++box.in_flight;
    if (natsStatus s = js_PublishMsgAsync(js, &msg, &po); s != NATS_OK) {
        --box.in_flight;
        box.on_refused(msg, s, static_cast<jsErrCode>(0), nullptr);
    }
}

void resend_due(jsCtx* js, jsPubOptions& po, Outbox& box) {
    for (natsMsg* msg : box.due()) {
        ++box.resent;
        send(js, msg, po, box);
    }
}

// Until every message is acknowledged or given up; false if that takes longer than any
// message's own bound (the library lost one).
bool settle(jsCtx* js, jsPubOptions& po, Outbox& box, const PublishOptions& o,
            std::chrono::milliseconds poll) {
    const auto limit = Clock::now() + std::chrono::duration<double>(
                                          o.retry_seconds + 2.0 * o.ack_wait_ms / 1000.0 + 30);
    while (!box.idle()) {
        if (Clock::now() > limit) return false;
        resend_due(js, po, box);
        // Poll interval: the resends of refused messages come due.
        std::this_thread::sleep_for(poll);
    }
    return true;
}

std::vector<std::string> read_lines(const std::string& path) {
    std::vector<std::string> lines;
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return lines;
    std::string line;
    for (int ch; (ch = std::fgetc(f)) != EOF;) {
        if (ch != '\n') {
            line.push_back(static_cast<char>(ch));
        } else if (!line.empty()) {
            lines.push_back(std::move(line));
            line.clear();
        }
    }
    if (!line.empty()) lines.push_back(std::move(line));
    std::fclose(f);
    return lines;
}

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// {"seq":N,["ts_ns":T,]<the sample event's members>: every event carries its own number
// (the rules of the NATS tests alert on it) and, for the load test, when it was published.
void numbered(const std::string& line, uint64_t seq, bool timestamps, std::string& out) {
    out = "{\"seq\":" + std::to_string(seq) + ',';
    if (timestamps) out += "\"ts_ns\":" + std::to_string(now_ns()) + ',';
    const size_t brace = line.find('{');
    out.append(line, brace == std::string::npos ? 0 : brace + 1);
}

bool connect(const ToolServer& server, Outbox& box, NatsHandles& c) {
    if (!tool_options(server, c.options)) return false;
    natsStatus s = natsOptions_SetErrorHandler(c.options, on_server_error, nullptr);
    if (s == NATS_OK) s = natsConnection_Connect(&c.nc, c.options);
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.PublishAsync.MaxPending = 20000;
    jo.PublishAsync.AckHandler = on_ack;
    jo.PublishAsync.AckHandlerClosure = &box;
    if (s == NATS_OK) s = natsConnection_JetStream(&c.js, c.nc, &jo);
    if (s != NATS_OK)
        std::fprintf(stderr, "vigie-nats-tool: connect to %s: %s\n", server.url.c_str(),
                     natsStatus_GetText(s));
    return s == NATS_OK;
}

}  // namespace

int publish(const ToolServer& server, const PublishOptions& o) {
    const std::vector<std::string> lines = read_lines(o.file);
    if (lines.empty())
        return std::fprintf(stderr, "vigie-nats-tool: %s is missing or empty\n", o.file.c_str()), 1;
    Outbox box(o);  // outlives the connection, whose ack handler uses it
    NatsHandles c;
    if (!connect(server, box, c)) return 1;
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = o.ack_wait_ms;  // an ack lost with a node comes back as a timeout
    const std::string subject = o.prefix + "." + o.agency;
    const uint64_t count = o.count ? o.count : (o.duration > 0 ? UINT64_MAX : lines.size());
    const auto begin = Clock::now();
    const auto deadline = begin + std::chrono::duration<double>(o.duration);
    std::string event, id;
    uint64_t n = 0;
    bool settled = true;
    for (; n < count && settled; ++n) {
        if (o.duration > 0 && (n & 255) == 0 &&
            (Clock::now() >= deadline ||
             (!o.stop_file.empty() && std::filesystem::exists(o.stop_file))))
            break;
        if (o.rate > 0 && (n & 63) == 0)  // paced: event n is due at n / rate seconds
            std::this_thread::sleep_until(
                begin + std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::duration<double>(static_cast<double>(n) / o.rate)));
        const std::string& line = lines[n % lines.size()];
        if (o.raw)
            event = line;
        else
            numbered(line, o.start + n, o.timestamps, event);
        natsMsg* msg = nullptr;
        natsStatus s = natsMsg_Create(&msg, subject.c_str(), nullptr, event.data(),
                                      static_cast<int>(event.size()));
        // A resent message is dropped by the stream within its duplicate window, not doubled.
        id = (o.id_prefix.empty() ? o.agency : o.id_prefix) + "-" + std::to_string(o.start + n);
        if (s == NATS_OK && (!o.raw || !o.id_prefix.empty()))
            s = natsMsgHeader_Set(msg, "Nats-Msg-Id", id.c_str());
        if (s != NATS_OK)
            return std::fprintf(stderr, "vigie-nats-tool: message: %s\n", natsStatus_GetText(s)), 1;
        send(c.js, msg, po, box);
        if (o.sync)
            settled = settle(c.js, po, box, o, std::chrono::milliseconds(1));
        else if ((n & 63) == 0)
            resend_due(c.js, po, box);
    }
    if (settled) settled = settle(c.js, po, box, o, std::chrono::milliseconds(10));
    if (!settled)
        std::fprintf(stderr, "vigie-nats-tool: messages neither acknowledged nor given up\n");
    const double seconds = std::chrono::duration<double>(Clock::now() - begin).count();
    std::printf(
        "{\"published\":%llu,\"acked\":%llu,\"resent\":%llu,\"duplicates\":%llu,"
        "\"errors\":%llu,\"longest_wait\":%.1f,\"seconds\":%.3f,\"rate\":%.0f}\n",
        static_cast<unsigned long long>(n), static_cast<unsigned long long>(box.acked.load()),
        static_cast<unsigned long long>(box.resent.load()),
        static_cast<unsigned long long>(box.duplicates.load()),
        static_cast<unsigned long long>(box.errors.load()), box.longest_wait_seconds(), seconds,
        seconds > 0 ? static_cast<double>(n) / seconds : 0.0);
    return settled && box.errors.load() == 0 ? 0 : 1;
}

}  // namespace vigie::test
