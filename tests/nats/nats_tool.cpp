// SPDX-License-Identifier: EUPL-1.2
// vigie-nats-tool: what the NATS shell tests and the NATS load test need around a
// nats-server and `vigie serve` workers: publishing numbered events to JetStream, reading
// a consumer's state, waiting for it to drain, counting a subject's messages in the
// stream, checking (or following, to time them) the alert files the workers write, and
// for the hub that alerts are forwarded to: its stream, and that every alert reached it
// once (hub_check.cpp).
#include <nats/nats.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "tests/nats/alert_tracker.hpp"
#include "tests/nats/hub_check.hpp"
#include "tests/nats/nats_handles.hpp"
#include "tests/nats/publisher.hpp"

namespace {

using Connection = vigie::test::NatsHandles;
using Server = vigie::test::ToolServer;

[[noreturn]] void fail(const std::string& what, natsStatus s) {
    std::fprintf(stderr, "vigie-nats-tool: %s: %s\n", what.c_str(), natsStatus_GetText(s));
    std::exit(1);
}

// The server's asynchronous errors.
void on_server_error(natsConnection* nc, natsSubscription*, natsStatus err, void*) {
    const char* text = nullptr;
    natsConnection_GetLastError(nc, &text);
    std::fprintf(stderr, "vigie-nats-tool: server error: %s\n",
                 text && *text ? text : natsStatus_GetText(err));
}

void open(const Server& server, Connection& c) {
    if (!vigie::test::tool_options(server, c.options)) std::exit(1);
    natsStatus s = natsOptions_SetErrorHandler(c.options, on_server_error, nullptr);
    if (s == NATS_OK) s = natsConnection_Connect(&c.nc, c.options);
    if (s != NATS_OK) fail("connect to " + server.url, s);
    s = natsConnection_JetStream(&c.js, c.nc, nullptr);
    if (s != NATS_OK) fail("JetStream context", s);
}

// The consumer's state, or nullptr with the reason on stderr.
jsConsumerInfo* consumer_info(Connection& c, const std::string& stream,
                              const std::string& consumer) {
    jsConsumerInfo* ci = nullptr;
    jsErrCode jerr{};
    natsStatus s = js_GetConsumerInfo(&ci, c.js, stream.c_str(), consumer.c_str(), nullptr, &jerr);
    if (s != NATS_OK) {
        std::fprintf(stderr, "vigie-nats-tool: consumer %s: %s (%d)\n", consumer.c_str(),
                     natsStatus_GetText(s), static_cast<int>(jerr));
        return nullptr;
    }
    return ci;
}

void print_consumer(const jsConsumerInfo* ci) {
    std::printf(
        "{\"num_pending\":%llu,\"num_ack_pending\":%lld,\"num_redelivered\":%lld,"
        "\"delivered\":%llu,\"ack_floor\":%llu,\"max_deliver\":%lld}\n",
        static_cast<unsigned long long>(ci->NumPending), static_cast<long long>(ci->NumAckPending),
        static_cast<long long>(ci->NumRedelivered),
        static_cast<unsigned long long>(ci->Delivered.Stream),
        static_cast<unsigned long long>(ci->AckFloor.Stream),
        static_cast<long long>(ci->Config ? ci->Config->MaxDeliver : 0));
}

// One line per message of `subject` kept by the stream: its dead-letter headers and size.
//   {"seq":N,"from":"<Vigie-Subject>","bytes":N,"error":"<Vigie-Error>"}
int dead_letters(const Server& server, const std::string& stream, const std::string& subject) {
    Connection c;
    open(server, c);
    jsStreamInfo* si = nullptr;
    jsErrCode jerr{};
    if (natsStatus s = js_GetStreamInfo(&si, c.js, stream.c_str(), nullptr, &jerr); s != NATS_OK)
        fail("stream " + stream, s);
    const uint64_t first = si->State.FirstSeq, last = si->State.LastSeq;
    jsStreamInfo_Destroy(si);
    for (uint64_t seq = first; seq != 0 && seq <= last; ++seq) {
        natsMsg* msg = nullptr;
        if (js_GetMsg(&msg, c.js, stream.c_str(), seq, nullptr, &jerr) != NATS_OK) continue;
        if (subject == natsMsg_GetSubject(msg)) {
            const char* error = "";
            const char* from = "";
            natsMsgHeader_Get(msg, "Vigie-Error", &error);
            natsMsgHeader_Get(msg, "Vigie-Subject", &from);
            std::string escaped;
            for (const char* p = error; p && *p; ++p) {
                if (*p == '"' || *p == '\\') escaped += '\\';
                escaped += *p;
            }
            std::printf("{\"seq\":%llu,\"from\":\"%s\",\"bytes\":%d,\"error\":\"%s\"}\n",
                        static_cast<unsigned long long>(seq), from, natsMsg_GetDataLength(msg),
                        escaped.c_str());
        }
        natsMsg_Destroy(msg);
    }
    return 0;
}

int wait_drained(const Server& server, const std::string& stream, const std::string& consumer,
                 double timeout) {
    Connection c;
    open(server, c);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout);
    for (;;) {
        jsConsumerInfo* ci = consumer_info(c, stream, consumer);
        const bool drained = ci && ci->NumPending == 0 && ci->NumAckPending == 0;
        const bool late = std::chrono::steady_clock::now() >= deadline;
        if (ci && (drained || late)) print_consumer(ci);
        jsConsumerInfo_Destroy(ci);
        if (drained) return 0;
        if (late) return std::fprintf(stderr, "vigie-nats-tool: consumer not drained\n"), 1;
        // Poll interval of a bounded wait for the consumer to drain.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

int subject_count(const Server& server, const std::string& stream, const std::string& subject) {
    Connection c;
    open(server, c);
    jsOptions o;
    jsOptions_Init(&o);
    o.Stream.Info.SubjectsFilter = subject.c_str();
    jsStreamInfo* si = nullptr;
    jsErrCode jerr{};
    if (natsStatus s = js_GetStreamInfo(&si, c.js, stream.c_str(), &o, &jerr); s != NATS_OK)
        fail("stream " + stream, s);
    uint64_t n = 0;
    for (int i = 0; si->State.Subjects && i < si->State.Subjects->Count; ++i)
        n += si->State.Subjects->List[i].Msgs;
    jsStreamInfo_Destroy(si);
    std::printf("%llu\n", static_cast<unsigned long long>(n));
    return 0;
}

}  // namespace

static int run(int argc, char** argv) {
    CLI::App app{"vigie NATS test tool"};
    app.require_subcommand(1);
    Server server;
    auto server_options = [&](CLI::App* sub) {
        sub->add_option("--url", server.url, "NATS server URL, or a comma list (a cluster)");
        sub->add_option("--user", server.user);
        sub->add_option("--password", server.password);
        sub->add_option("--inbox-prefix", server.inbox_prefix,
                        "reply subjects' prefix (permissions)");
    };
    vigie::test::PublishOptions po;
    auto* pub = app.add_subcommand("publish", "publish the file's events, numbered (\"seq\":N)");
    server_options(pub);
    pub->add_option("--subject-prefix", po.prefix);
    pub->add_option("--agency", po.agency);
    pub->add_option("--file", po.file)->required();
    pub->add_option("--count", po.count,
                    "events to publish, cycling through the file (default: its lines)");
    pub->add_option("--start", po.start, "first seq");
    pub->add_option("--duration", po.duration, "publish for this many seconds");
    pub->add_option("--stop-file", po.stop_file,
                    "with --duration: stop earlier, as soon as this file exists");
    pub->add_option("--rate", po.rate, "events per second (default: as fast as possible)");
    pub->add_flag("--raw", po.raw, "publish the lines as they are (no Nats-Msg-Id by default)");
    pub->add_option("--id-prefix", po.id_prefix,
                    "Nats-Msg-Id PREFIX-N, also with --raw (default: AGENCY-N, none with --raw)");
    pub->add_flag("--sync", po.sync, "wait for each message's acknowledgement by the stream");
    pub->add_flag("--timestamps", po.timestamps, "add \"ts_ns\": the publish time");
    pub->add_option("--retry-seconds", po.retry_seconds,
                    "resend a refused message (same Nats-Msg-Id) for this long, then fail");
    pub->add_option("--ack-wait-ms", po.ack_wait_ms, "an ack not back within this: resend");
    std::string stream = "EVENTS", consumer = "vigie", subject;
    double timeout = 60;
    auto* info =
        app.add_subcommand("consumer-info", "num_pending, num_ack_pending, num_redelivered");
    auto* drained =
        app.add_subcommand("wait-drained", "until num_pending and num_ack_pending are 0");
    for (auto* sub : {info, drained}) {
        server_options(sub);
        sub->add_option("--stream", stream);
        sub->add_option("--consumer", consumer);
    }
    drained->add_option("--timeout", timeout, "seconds");
    auto* count = app.add_subcommand("subject-count", "messages of a subject kept by the stream");
    server_options(count);
    count->add_option("--stream", stream);
    count->add_option("--subject", subject)->required();
    auto* dead = app.add_subcommand("dead-letters", "the messages of a subject, with headers");
    server_options(dead);
    dead->add_option("--stream", stream);
    dead->add_option("--subject", subject)->required();
    vigie::test::TrackerOptions to;
    auto* alerts = app.add_subcommand("alerts", "check the seq of every alert in the files");
    alerts->add_option("files", to.files)->required();
    alerts->add_option("--expect", to.expect, "seqs 1..N must each have an alert");
    alerts->add_flag("--follow", to.follow, "tail the files, timing each alert as it appears");
    alerts->add_option("--idle", to.idle_seconds,
                       "--follow: stop after this long without a new alert");
    alerts->add_option("--timeout", to.timeout_seconds, "--follow: stop after this long");
    vigie::test::HubOptions ho;
    auto* hub_stream = app.add_subcommand(
        "hub-stream", "create (or update) the hub's alert stream, with a duplicate window");
    auto* hub_check =
        app.add_subcommand("hub-check", "every alert in the hub's stream once: ids and seqs");
    for (auto* sub : {hub_stream, hub_check}) {
        sub->add_option("--url", ho.url, "NATS server URL, or a comma list (a cluster)");
        sub->add_option("--user", ho.user);
        sub->add_option("--password", ho.password);
        sub->add_option("--stream", ho.stream);
    }
    hub_stream->add_option("--subjects", ho.subjects, "comma-separated");
    hub_stream->add_option("--duplicate-window", ho.duplicate_window, "seconds");
    hub_stream->add_option("--max-bytes", ho.max_bytes, "the oldest messages go beyond it (bench)");
    hub_stream->add_option("--replicas", ho.replicas, "3 on a JetStream cluster");
    hub_check->add_option("--expect", ho.expect, "seqs 1..N must each have one alert");
    hub_check->add_option("--timeout", ho.timeout, "seconds to wait for N messages");
    CLI11_PARSE(app, argc, argv);

    if (hub_stream->parsed()) return vigie::test::hub_stream(ho);
    if (hub_check->parsed()) return vigie::test::hub_check(ho);

    if (pub->parsed()) return vigie::test::publish(server, po);
    if (drained->parsed()) return wait_drained(server, stream, consumer, timeout);
    if (count->parsed()) return subject_count(server, stream, subject);
    if (dead->parsed()) return dead_letters(server, stream, subject);
    if (alerts->parsed()) return vigie::test::track_alerts(to);
    Connection c;
    open(server, c);
    jsConsumerInfo* ci = consumer_info(c, stream, consumer);
    if (!ci) return 1;
    print_consumer(ci);
    jsConsumerInfo_Destroy(ci);
    return 0;
}

// An exception (file system, parsing, allocation) is a failed run with its message, not an abort.
int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nats_tool: %s\n", e.what());
        return 1;
    }
}
