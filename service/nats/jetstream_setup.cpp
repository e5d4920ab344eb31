// SPDX-License-Identifier: EUPL-1.2
#include "service/nats/jetstream_setup.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "service/nats/pull_fetch.hpp"

namespace vigie {

namespace {

void on_disconnected(natsConnection*, void* closure) {
    auto* events = static_cast<NatsEvents*>(closure);
    if (events->log && !events->closing) events->log->warn("nats disconnected; reconnecting");
}
void on_reconnected(natsConnection* nc, void* closure) {
    auto* events = static_cast<NatsEvents*>(closure);
    char url[256] = "";
    natsConnection_GetConnectedUrl(nc, url, sizeof url);
    if (events->log) events->log->info("nats reconnected", {{"server", server_list({url})}});
}
void on_error(natsConnection*, natsSubscription*, natsStatus err, void* closure) {
    auto* events = static_cast<NatsEvents*>(closure);
    if (events->log)
        events->log->error("nats asynchronous error", {{"error", natsStatus_GetText(err)}});
}

void on_closed(natsConnection*, void* closure) {
    auto* events = static_cast<NatsEvents*>(closure);
    {
        std::lock_guard lock(events->mutex);
        ++events->closed;
    }
    events->cv.notify_all();
}

natsStatus set_options(const NatsSettings& settings, NatsEvents& events, natsOptions* o,
                       int timeout_ms) {
    std::vector<const char*> servers;
    for (const std::string& url : settings.servers) servers.push_back(url.c_str());
    natsStatus s = natsOptions_SetServers(o, servers.data(), static_cast<int>(servers.size()));
    // In the order given: an agency lists its own leaf node first.
    if (s == NATS_OK) s = natsOptions_SetNoRandomize(o, true);
    if (s == NATS_OK && !settings.credentials.empty())
        s = natsOptions_SetUserCredentialsFromFiles(o, settings.credentials.c_str(), nullptr);
    if (s == NATS_OK && !settings.inbox_prefix.empty())
        s = natsOptions_SetCustomInboxPrefix(o, settings.inbox_prefix.c_str());
    if (s == NATS_OK) s = natsOptions_SetName(o, "vigie");
    // Once running, a lost server is waited for, never given up on: the messages stay in
    // the stream meanwhile. The client goes through the list (and the cluster's other
    // nodes, which the servers announce) until one answers.
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(o, -1);
    if (s == NATS_OK) s = natsOptions_SetReconnectWait(o, 1000);
    if (s == NATS_OK) s = natsOptions_SetTimeout(o, timeout_ms);
    if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(o, on_disconnected, &events);
    if (s == NATS_OK) s = natsOptions_SetReconnectedCB(o, on_reconnected, &events);
    if (s == NATS_OK) s = natsOptions_SetErrorHandler(o, on_error, &events);
    if (s == NATS_OK) s = natsOptions_SetClosedCB(o, on_closed, &events);
    return s;
}

// Throws SetupFailure: transient when no server answered.
void connect(const NatsSettings& settings, NatsEvents& events, NatsHandles& h, int timeout_ms) {
    natsStatus s = natsOptions_Create(&h.options);
    if (s == NATS_OK) s = set_options(settings, events, h.options, timeout_ms);
    if (s != NATS_OK)
        throw SetupFailure("nats.url " + server_list(settings.servers) + ": " + describe(s), false);
    h.events = &events;
    s = natsConnection_Connect(&h.connection, h.options);
    if (s != NATS_OK) {
        h.connection = nullptr;
        fail("cannot connect to NATS at " + server_list(settings.servers), s);
    }
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = timeout_ms;
    s = natsConnection_JetStream(&h.js, h.connection, &jo);
    if (s != NATS_OK) fail("NATS JetStream context", s);
}

StreamFacts facts_of(const jsStreamConfig& c) {
    StreamFacts f;
    f.name = c.Name ? c.Name : "";
    for (int i = 0; i < c.SubjectsLen; ++i) f.subjects.emplace_back(c.Subjects[i]);
    f.replicas = c.Replicas;
    f.max_age_ns = c.MaxAge;
    f.max_bytes = c.MaxBytes;
    f.duplicate_window_ns = c.Duplicates;
    return f;
}

// Creates the stream with the configured settings when it does not exist; an existing one
// is left as its operator set it, each difference logged.
void ensure_stream(const NatsSettings& settings, Logger& log, NatsHandles& h) {
    if (std::optional<StreamFacts> existing = read_stream(h, settings.stream)) {
        for (const auto& d : stream_differences(settings, *existing))
            log.warn(d.message + "; the stream is not changed", {{"key", d.key}});
        return;
    }
    const NatsStreamSettings& st = settings.stream_settings;
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    const char* subjects[] = {settings.subjects.c_str()};
    cfg.Name = settings.stream.c_str();
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    cfg.Retention = js_LimitsPolicy;
    cfg.Replicas = st.replicas;
    cfg.MaxAge = static_cast<int64_t>(st.max_age_seconds) * 1'000'000'000;
    cfg.MaxBytes = st.max_bytes == 0 ? -1 : static_cast<int64_t>(st.max_bytes);
    cfg.Duplicates = static_cast<int64_t>(st.duplicate_window_seconds) * 1'000'000'000;
    jsStreamInfo* info = nullptr;
    jsErrCode jerr{};
    const natsStatus s = js_AddStream(&info, h.js, &cfg, nullptr, &jerr);
    jsStreamInfo_Destroy(info);
    if (s != NATS_OK)
        fail("cannot create NATS stream " + settings.stream + " on " + settings.subjects +
                 " with " + std::to_string(st.replicas) + " replicas",
             s, jerr);
    log.info("nats stream created", {{"stream", settings.stream},
                                     {"subjects", settings.subjects},
                                     {"replicas", st.replicas},
                                     {"max_age_seconds", st.max_age_seconds},
                                     {"max_bytes", st.max_bytes},
                                     {"duplicate_window_seconds", st.duplicate_window_seconds}});
}

// The consumer's MaxDeliver once created or updated; -1 when it cannot be read.
int64_t consumer_max_deliver(const NatsSettings& settings, NatsHandles& h) {
    jsConsumerInfo* info = nullptr;
    const natsStatus s = js_GetConsumerInfo(&info, h.js, settings.stream.c_str(),
                                            settings.consumer.c_str(), nullptr, nullptr);
    const int64_t max = (s == NATS_OK && info && info->Config) ? info->Config->MaxDeliver : -1;
    jsConsumerInfo_Destroy(info);
    return max;
}

// Creates the durable consumer, or brings an existing one to the configured ack_wait,
// max_deliver and max_ack_pending (settings the server lets change). The input dead-letters
// a message on its delivery max_deliver + 1, before evaluating it (the server alone would
// only drop it, with an advisory nobody reads). The server may deliver it once more than
// that: a worker killed between fetching that delivery and publishing the dead letter does
// not lose the message.
void ensure_consumer(const NatsSettings& settings, Logger& log, NatsHandles& h) {
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = settings.consumer.c_str();
    cc.AckPolicy = js_AckExplicit;
    cc.DeliverPolicy = js_DeliverAll;
    cc.AckWait = static_cast<int64_t>(settings.ack_wait_seconds) * 1000000000;  // ns
    cc.MaxDeliver = static_cast<int64_t>(settings.max_deliver) + 2;
    cc.MaxAckPending = settings.max_ack_pending;
    cc.FilterSubject = settings.subjects.c_str();
    jsConsumerInfo* info = nullptr;
    jsErrCode jerr{};
    natsStatus s = js_GetConsumerInfo(&info, h.js, settings.stream.c_str(),
                                      settings.consumer.c_str(), nullptr, &jerr);
    jsConsumerInfo_Destroy(info);
    info = nullptr;
    if (s == NATS_OK) {
        s = js_UpdateConsumer(&info, h.js, settings.stream.c_str(), &cc, nullptr, &jerr);
        jsConsumerInfo_Destroy(info);
        if (s != NATS_OK && transient(s, jerr))
            fail("cannot update NATS consumer " + settings.consumer, s, jerr);
        if (s != NATS_OK)
            log.warn("nats consumer kept with its own settings",
                     {{"consumer", settings.consumer}, {"error", describe(s, jerr)}});
        return;
    }
    if (jerr != JSConsumerNotFoundErr) fail("NATS consumer " + settings.consumer, s, jerr);
    s = js_AddConsumer(&info, h.js, settings.stream.c_str(), &cc, nullptr, &jerr);
    jsConsumerInfo_Destroy(info);
    if (s != NATS_OK) fail("cannot create NATS consumer " + settings.consumer, s, jerr);
}

// The inbox the input's own pull requests are answered on (service/nats/pull_fetch.hpp says why not
// js_PullSubscribe): under nats.inbox_prefix, which an agency's permissions allow.
void bind(const NatsSettings& settings, NatsHandles& h) {
    const std::string inbox = new_inbox(settings.inbox_prefix);
    const natsStatus s =
        inbox.empty() ? NATS_NO_MEMORY
                      : natsConnection_SubscribeSync(&h.subscription, h.connection, inbox.c_str());
    if (s != NATS_OK) {
        h.subscription = nullptr;
        fail("cannot subscribe to the inbox of NATS consumer " + settings.consumer, s);
    }
}

// A request that the server's permissions refuse goes unanswered (a timeout); the refusal
// itself comes as the connection's last error, and waiting will not mend it.
std::string refusal(natsConnection* nc) {
    const char* text = nullptr;
    if (nc == nullptr || natsConnection_GetLastError(nc, &text) != NATS_NOT_PERMITTED) return {};
    return text && *text ? text : "permissions violation";
}

// Closes what the start-up opened, and throws `error`.
template <class Error>
[[noreturn]] void abandon(NatsEvents& events, NatsHandles& h, const Error& error) {
    events.closing = true;
    close_jetstream(h);
    throw error;
}

using Step = std::function<void(NatsHandles&)>;

// Connects, then runs the steps in order; a transient failure is retried from the step
// that failed (the connection, once up, is kept: the client reconnects by itself).
void open_with_retries(const NatsSettings& settings, NatsEvents& events,
                       const std::vector<Step>& steps, NatsHandles& out) {
    const std::string servers = server_list(settings.servers);
    StartupClock clock(settings.connect_retry_seconds);
    NatsHandles h;
    size_t done = 0;
    for (uint64_t attempt = 1;; ++attempt) {
        std::string reason;
        try {
            if (!h.js) {  // not connected yet (or half: a fresh start)
                close_jetstream(h);
                connect(settings, events, h, 5000);
            }
            for (; done < steps.size(); ++done) steps[done](h);
            out = h;
            if (attempt > 1)
                events.log->info("nats ready", {{"servers", servers}, {"attempts", attempt}});
            return;
        } catch (const SetupFailure& e) {
            if (!e.transient) abandon(events, h, std::runtime_error(e.what()));
            reason = e.what();
        }
        if (const std::string why = refusal(h.connection); !why.empty())
            abandon(events, h, std::runtime_error(reason.append(" (").append(why).append(")")));
        const std::optional<std::chrono::milliseconds> wait = clock.next_wait();
        if (!wait)
            abandon(events, h,
                    std::runtime_error(
                        "NATS not ready after " + std::to_string(settings.connect_retry_seconds) +
                        " s (nats.connect_retry_seconds) and " + std::to_string(attempt) +
                        " attempts, servers " + servers + ": " + reason.c_str()));
        events.log->warn("nats not ready at start-up; retrying",
                         {{"servers", servers},
                          {"attempt", attempt},
                          {"retry_in_ms", static_cast<uint64_t>(wait->count())},
                          {"error", reason}});
        if (!wait_unless_stopped(*wait))
            abandon(events, h,
                    NatsStartupStopped("stopped while waiting for NATS at " + servers +
                                       " (last: " + reason.c_str() + ")"));
    }
}

}  // namespace

void connect_nats(const NatsSettings& settings, NatsEvents& events, NatsHandles& out,
                  int timeout_ms) {
    NatsHandles h;
    try {
        connect(settings, events, h, timeout_ms);
    } catch (...) {
        close_jetstream(h);
        throw;
    }
    out = h;
}

std::optional<StreamFacts> read_stream(const NatsHandles& h, const std::string& stream) {
    jsStreamInfo* info = nullptr;
    jsErrCode jerr{};
    const natsStatus s = js_GetStreamInfo(&info, h.js, stream.c_str(), nullptr, &jerr);
    if (s == NATS_OK) {
        StreamFacts facts;
        facts.name = stream;
        if (info->Config) facts = facts_of(*info->Config);
        jsStreamInfo_Destroy(info);
        return facts;
    }
    jsStreamInfo_Destroy(info);
    if (jerr == JSStreamNotFoundErr) return std::nullopt;
    fail(s == NATS_NO_RESPONDERS ? "NATS stream " + stream +
                                       " (no JetStream answered: not enabled on the server, "
                                       "or the cluster is electing its leader)"
                                 : "NATS stream " + stream,
         s, jerr);
}

void open_jetstream_stream(const NatsSettings& settings, NatsEvents& events, NatsHandles& out) {
    open_with_retries(settings, events,
                      {[&](NatsHandles& h) { ensure_stream(settings, *events.log, h); }}, out);
}

void open_jetstream(const NatsSettings& settings, NatsEvents& events, NatsHandles& out) {
    Logger& log = *events.log;
    open_with_retries(
        settings, events,
        {[&](NatsHandles& h) { ensure_stream(settings, log, h); },
         [&](NatsHandles& h) { ensure_consumer(settings, log, h); },
         [&](NatsHandles& h) { h.consumer_max_deliver = consumer_max_deliver(settings, h); },
         [&](NatsHandles& h) { bind(settings, h); }},
        out);
}

void close_jetstream(NatsHandles& h) {
    // Not while reconnecting: the flush would only wait its whole timeout.
    if (h.connection && natsConnection_Status(h.connection) == NATS_CONN_STATUS_CONNECTED)
        natsConnection_FlushTimeout(h.connection, 5000);
    natsSubscription_Destroy(h.subscription);  // never Unsubscribe: see the header
    jsCtx_Destroy(h.js);
    if (h.connection) {
        uint64_t before = 0;
        if (h.events) {
            std::lock_guard lock(h.events->mutex);
            before = h.events->closed;
        }
        natsConnection_Close(h.connection);
        if (h.events) {  // bounded: never hang a shutdown on the client's thread
            std::unique_lock lock(h.events->mutex);
            h.events->cv.wait_for(lock, std::chrono::seconds(2),
                                  [&] { return h.events->closed != before; });
        }
    }
    natsConnection_Destroy(h.connection);
    natsOptions_Destroy(h.options);
    h = NatsHandles{};
}

}  // namespace vigie
