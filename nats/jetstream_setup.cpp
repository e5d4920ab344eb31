#include "nats/jetstream_setup.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace vigie {

namespace {

// The client's own description of the last failure on this thread, else the status text.
std::string describe(natsStatus s, jsErrCode jerr = static_cast<jsErrCode>(0)) {
    natsStatus last = NATS_OK;
    const char* text = nats_GetLastError(&last);
    std::string out = (text && *text) ? text : natsStatus_GetText(s);
    if (jerr != 0) out += " (JetStream error " + std::to_string(static_cast<int>(jerr)) + ")";
    return out;
}

std::string server_list(const std::vector<std::string>& servers) {
    std::string out;
    for (const auto& url : servers) out += (out.empty() ? "" : ",") + url;
    return out;
}

void on_disconnected(natsConnection*, void* closure) {
    auto* events = static_cast<NatsEvents*>(closure);
    if (!events->closing) events->log->warn("nats disconnected; reconnecting");
}
void on_reconnected(natsConnection*, void* closure) {
    static_cast<NatsEvents*>(closure)->log->info("nats reconnected");
}
void on_error(natsConnection*, natsSubscription*, natsStatus err, void* closure) {
    static_cast<NatsEvents*>(closure)->log->error("nats asynchronous error",
                                                  {{"error", natsStatus_GetText(err)}});
}

void connect(const NatsSettings& settings, NatsEvents& log, NatsHandles& h) {
    std::vector<const char*> servers;
    for (const std::string& url : settings.servers) servers.push_back(url.c_str());
    natsStatus s = natsOptions_Create(&h.options);
    if (s == NATS_OK)
        s = natsOptions_SetServers(h.options, servers.data(), static_cast<int>(servers.size()));
    // In the order given: an agency lists its own leaf node first.
    if (s == NATS_OK) s = natsOptions_SetNoRandomize(h.options, true);
    if (s == NATS_OK && !settings.credentials.empty())
        s = natsOptions_SetUserCredentialsFromFiles(h.options, settings.credentials.c_str(),
                                                    nullptr);
    if (s == NATS_OK && !settings.inbox_prefix.empty())
        s = natsOptions_SetCustomInboxPrefix(h.options, settings.inbox_prefix.c_str());
    if (s == NATS_OK) s = natsOptions_SetName(h.options, "vigie");
    // Once running, a lost server is waited for, never given up on: the messages stay in
    // the stream meanwhile.
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(h.options, -1);
    if (s == NATS_OK) s = natsOptions_SetReconnectWait(h.options, 1000);
    if (s == NATS_OK) s = natsOptions_SetTimeout(h.options, 5000);
    if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(h.options, on_disconnected, &log);
    if (s == NATS_OK) s = natsOptions_SetReconnectedCB(h.options, on_reconnected, &log);
    if (s == NATS_OK) s = natsOptions_SetErrorHandler(h.options, on_error, &log);
    if (s != NATS_OK)
        throw std::runtime_error("nats.url " + server_list(settings.servers) + ": " + describe(s));
    s = natsConnection_Connect(&h.connection, h.options);
    if (s != NATS_OK)
        throw std::runtime_error("cannot connect to NATS at " + server_list(settings.servers) +
                                 ": " + describe(s));
    s = natsConnection_JetStream(&h.js, h.connection, nullptr);
    if (s != NATS_OK) throw std::runtime_error("NATS JetStream context: " + describe(s));
}

// Creates the stream when it does not exist; an existing one is left as its operator set
// it (retention, limits, replicas).
void ensure_stream(const NatsSettings& settings, NatsHandles& h) {
    jsStreamInfo* info = nullptr;
    jsErrCode jerr{};
    natsStatus s = js_GetStreamInfo(&info, h.js, settings.stream.c_str(), nullptr, &jerr);
    jsStreamInfo_Destroy(info);
    if (s == NATS_OK) return;
    if (jerr != JSStreamNotFoundErr)
        throw std::runtime_error("NATS stream " + settings.stream + ": " + describe(s, jerr) +
                                 " (is JetStream enabled on the server?)");
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    const char* subjects[] = {settings.subjects.c_str()};
    cfg.Name = settings.stream.c_str();
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    cfg.Retention = js_LimitsPolicy;
    info = nullptr;
    s = js_AddStream(&info, h.js, &cfg, nullptr, &jerr);
    jsStreamInfo_Destroy(info);
    if (s != NATS_OK)
        throw std::runtime_error("cannot create NATS stream " + settings.stream + " on " +
                                 settings.subjects + ": " + describe(s, jerr));
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
        if (s != NATS_OK)
            log.warn("nats consumer kept with its own settings",
                     {{"consumer", settings.consumer}, {"error", describe(s, jerr)}});
        return;
    }
    if (jerr != JSConsumerNotFoundErr)
        throw std::runtime_error("NATS consumer " + settings.consumer + ": " + describe(s, jerr));
    s = js_AddConsumer(&info, h.js, settings.stream.c_str(), &cc, nullptr, &jerr);
    jsConsumerInfo_Destroy(info);
    if (s != NATS_OK)
        throw std::runtime_error("cannot create NATS consumer " + settings.consumer + ": " +
                                 describe(s, jerr));
}

void bind(const NatsSettings& settings, NatsHandles& h) {
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = settings.stream.c_str();
    so.Consumer = settings.consumer.c_str();
    jsErrCode jerr{};
    const natsStatus s = js_PullSubscribe(&h.subscription, h.js, settings.subjects.c_str(), nullptr,
                                          nullptr, &so, &jerr);
    if (s != NATS_OK)
        throw std::runtime_error("cannot bind to NATS consumer " + settings.consumer + ": " +
                                 describe(s, jerr));
}

}  // namespace

void open_jetstream_stream(const NatsSettings& settings, NatsEvents& events, NatsHandles& out) {
    NatsHandles h;
    try {
        connect(settings, events, h);
        ensure_stream(settings, h);
    } catch (...) {
        close_jetstream(h);
        throw;
    }
    out = h;
}

void open_jetstream(const NatsSettings& settings, NatsEvents& events, NatsHandles& out) {
    NatsHandles h;
    try {
        connect(settings, events, h);
        ensure_stream(settings, h);
        ensure_consumer(settings, *events.log, h);
        h.consumer_max_deliver = consumer_max_deliver(settings, h);
        bind(settings, h);
    } catch (...) {
        close_jetstream(h);
        throw;
    }
    out = h;
}

void close_jetstream(NatsHandles& h) {
    if (h.connection) natsConnection_FlushTimeout(h.connection, 5000);
    natsSubscription_Destroy(h.subscription);  // never Unsubscribe: see the header
    jsCtx_Destroy(h.js);
    if (h.connection) natsConnection_Close(h.connection);
    natsConnection_Destroy(h.connection);
    natsOptions_Destroy(h.options);
    h = NatsHandles{};
}

}  // namespace vigie
