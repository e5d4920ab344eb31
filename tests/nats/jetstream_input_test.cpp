// SPDX-License-Identifier: EUPL-1.2
// The NATS JetStream input against a real nats-server (loopback, free port, temporary
// store) and the real engine over the repository's rules: alerts carry the agency of the
// subject, every message is acknowledged, malformed ones and unknown agencies are
// dead-lettered with the reason, a failed alert write is redelivered, and two inputs on
// one consumer share the messages without processing any twice.
#define DOCTEST_CONFIG_IMPLEMENT
#include "service/nats/jetstream_input.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <nats/nats.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "app/rule_loading.hpp"
#include "pipeline/alerts/alert_format.hpp"
#include "pipeline/alerts/alert_sink.hpp"
#include "service/nats/message_batch.hpp"
#include "tests/nats/nats_test_server.hpp"

using namespace vigie;

namespace {

std::shared_ptr<const Ruleset> rules() {
    static std::shared_ptr<const Ruleset> loaded = [] {
        RuleLoadOptions o;
        o.rule_paths = {VIGIE_SOURCE_DIR "/rules"};
        return load_ruleset(o).ruleset;
    }();
    return loaded;
}

std::vector<std::string> sample_events() {
    std::ifstream in(VIGIE_SOURCE_DIR "/samples/windows-sysmon.ndjson");
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

size_t count_lines(const std::string& text) {
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// A temporary alert file, removed at the end.
struct TempFile {
    std::string path;
    TempFile() {
        char name[] = "/tmp/vigie-nats-alerts-XXXXXX";
        ::close(::mkstemp(name));
        path = name;
    }
    ~TempFile() { std::remove(path.c_str()); }
};

// A client of the test server: publishes and reads the consumer's state.
struct Client {
    natsConnection* nc = nullptr;
    jsCtx* js = nullptr;
    explicit Client(const std::string& url) {
        REQUIRE(natsConnection_ConnectTo(&nc, url.c_str()) == NATS_OK);
        REQUIRE(natsConnection_JetStream(&js, nc, nullptr) == NATS_OK);
    }
    ~Client() {
        jsCtx_Destroy(js);
        natsConnection_Destroy(nc);
    }
    void publish(const std::string& subject, const std::string& payload) {
        jsPubAck* ack = nullptr;
        REQUIRE(js_Publish(&ack, js, subject.c_str(), payload.data(),
                           static_cast<int>(payload.size()), nullptr, nullptr) == NATS_OK);
        jsPubAck_Destroy(ack);
    }
    void add_stream(const char* name, const char* subject) {
        jsStreamConfig cfg;
        jsStreamConfig_Init(&cfg);
        const char* subjects[] = {subject};
        cfg.Name = name;
        cfg.Subjects = subjects;
        cfg.SubjectsLen = 1;
        REQUIRE(js_AddStream(nullptr, js, &cfg, nullptr, nullptr) == NATS_OK);
    }
    // num_pending and num_ack_pending of the consumer, once both are 0 or after 10 s.
    std::pair<uint64_t, int64_t> settled(const char* consumer = "vigie") {
        std::pair<uint64_t, int64_t> last{UINT64_MAX, -1};
        for (int i = 0; i < 100; ++i) {
            jsConsumerInfo* ci = nullptr;
            REQUIRE(js_GetConsumerInfo(&ci, js, "EVENTS", consumer, nullptr, nullptr) == NATS_OK);
            last = {ci->NumPending, ci->NumAckPending};
            jsConsumerInfo_Destroy(ci);
            if (last.first == 0 && last.second == 0) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));  // poll interval
        }
        return last;
    }
};

bool eventually(const std::function<bool()>& done, double seconds = 20) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!done()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval
    }
    return true;
}

NatsSettings settings_for(const test::NatsTestServer& server) {
    NatsSettings s;
    s.enabled = true;
    s.servers = {server.url()};
    s.fetch_batch = 16;  // several batches, so that two inputs both get some
    s.ack_wait_seconds = 5;
    return s;
}

auto only_demo = [](std::string_view agency) { return agency == "demo"; };

// The alerts the engine gives for `body` without NATS: the reference.
uint64_t reference_alerts(const std::string& body) {
    struct NullSink final : TextAlertSink {
        Status write(std::string_view) override { return {}; }
        void flush() override {}
    } sink;
    JsonlAlertFormat format;
    IngestEngine engine(rules(), format, sink, {.threads = 0});
    uint64_t alerts = 0;
    engine.submit({"demo", "ref", body, [&](IngestResult&& r) { alerts = r.alerts; }});
    return alerts;
}

// A sink whose first `failures` writes fail, as a full disk would.
struct FlakySink final : TextAlertSink {
    FileAlertSink file;
    std::atomic<int> failures;
    FlakySink(const std::string& path, int n) : file(path), failures(n) {}
    Status write(std::string_view alerts) override {
        if (failures.fetch_sub(1) > 0) return Error{"disk full (test)"};
        return file.write(alerts);
    }
    void flush() override { file.flush(); }
};

}  // namespace

TEST_CASE("subjects, delivery counts, payload checks and joined bodies") {
    CHECK(subject_prefix("events.>") == "events.");
    CHECK(agency_of("events.demo", "events.") == "demo");
    CHECK(agency_of("events.", "events.").empty());
    CHECK(agency_of("events.demo.x", "events.").empty());
    CHECK(agency_of("other.demo", "events.").empty());
    CHECK(delivery_count("$JS.ACK.EVENTS.vigie.3.10.7.1700000000000000000.0") == 3);
    CHECK(delivery_count("$JS.ACK.dom.ACCHASH.EVENTS.vigie.2.10.7.1700000000000000000.0.tok") == 2);
    CHECK(delivery_count("_INBOX.abc") == 0);
    CHECK(payload_problem("{\"a\":1}") == "");
    CHECK(payload_problem("{\"a\":1}\n{\"b\":2}\n") == "");
    CHECK(payload_problem(" \n") == "empty message");
    CHECK(payload_problem("[{\"a\":1}]").find("JSON objects") != std::string::npos);
    CHECK(payload_problem("{\"a\":") == "truncated JSON document at line 1");
    CHECK(header_value("a\r\nb") == "a  b");
    JoinedBody body;
    body.append("{\"a\":1}");
    body.append("{\"b\":1}\n{\"c\":1}\n");
    body.append("{\"d\":1}");
    CHECK(body.message_of_line(1) == 0);
    CHECK(body.message_of_line(3) == 1);
    CHECK(body.line_in_message(3) == 2);
    CHECK(body.message_of_line(4) == 2);
    CHECK(body.take_body() == "{\"a\":1}\n{\"b\":1}\n{\"c\":1}\n{\"d\":1}\n");
}

TEST_CASE("events published on events.demo are alerted with agency demo and acknowledged") {
    test::NatsTestServer server;
    Client client(server.url());
    const auto events = sample_events();
    std::string body;
    for (const auto& e : events) body += e + "\n";
    const uint64_t expected = reference_alerts(body);
    REQUIRE(expected > 0);

    TempFile out;
    FileAlertSink sink(out.path);
    JsonlAlertFormat format;
    IngestEngine engine(rules(), format, sink, {.threads = 1});
    Logger log(LogFormat::Json, LogLevel::Warning);
    JetStreamInput input(settings_for(server), engine, log, only_demo);
    input.start();  // creates the stream and the consumer
    CHECK(input.connected());
    for (const auto& e : events) client.publish("events.demo", e);
    REQUIRE(eventually([&] { return input.stats().acked == events.size(); }));
    input.stop();
    engine.drain();
    input.close();

    const std::string alerts = read_file(out.path);
    CHECK(count_lines(alerts) == expected);
    CHECK(alerts.find("\"agency\":\"demo\"") != std::string::npos);
    CHECK(alerts.find("\"file\":\"events.demo\"") != std::string::npos);
    const JetStreamStats s = input.stats();
    CHECK(s.messages == events.size());
    CHECK(s.redelivered == 0);
    CHECK(s.dead_lettered == 0);
    CHECK(client.settled() == std::pair<uint64_t, int64_t>{0, 0});
    // The durable consumer outlives the input: a restarted worker resumes from it.
    jsConsumerInfo* ci = nullptr;
    CHECK(js_GetConsumerInfo(&ci, client.js, "EVENTS", "vigie", nullptr, nullptr) == NATS_OK);
    jsConsumerInfo_Destroy(ci);
}

TEST_CASE("malformed messages and unknown agencies are dead-lettered with the reason") {
    test::NatsTestServer server;
    Client client(server.url());
    natsSubscription* dead = nullptr;
    REQUIRE(natsConnection_SubscribeSync(&dead, client.nc, "events.dead") == NATS_OK);
    natsConnection_Flush(client.nc);

    TempFile out;
    FileAlertSink sink(out.path);
    JsonlAlertFormat format;
    IngestEngine engine(rules(), format, sink, {.threads = 1});
    Logger log(LogFormat::Json, LogLevel::Error);
    JetStreamInput input(settings_for(server), engine, log, only_demo);
    input.start();
    const std::string good = sample_events().front();
    client.publish("events.demo", good);
    client.publish("events.demo", "{\"EventID\": 1, oops}");  // parse error in the engine
    client.publish("events.demo", good);
    client.publish("events.demo", "{\"EventID\": ");  // truncated
    client.publish("events.unknown", good);
    client.publish("events.demo", "");
    // 6 published + 4 dead letters kept by the stream (events.dead is inside events.>).
    REQUIRE(eventually([&] { return input.stats().acked == 10; }));

    std::map<std::string, std::string> reasons;  // by payload
    for (int i = 0; i < 4; ++i) {
        natsMsg* m = nullptr;
        REQUIRE(natsSubscription_NextMsg(&m, dead, 5000) == NATS_OK);
        const char* error = nullptr;
        const char* subject = nullptr;
        REQUIRE(natsMsgHeader_Get(m, "Vigie-Error", &error) == NATS_OK);
        REQUIRE(natsMsgHeader_Get(m, "Vigie-Subject", &subject) == NATS_OK);
        reasons[std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m))] =
            std::string(subject) + " | " + error;
        natsMsg_Destroy(m);
    }
    natsSubscription_Destroy(dead);
    CHECK(reasons[""] == "events.demo | empty message");
    CHECK(reasons["{\"EventID\": "] == "events.demo | truncated JSON document at line 1");
    CHECK(reasons[good] == "events.unknown | unknown agency unknown");
    CHECK(reasons["{\"EventID\": 1, oops}"].rfind("events.demo | line 1: ", 0) == 0);

    input.stop();
    engine.drain();
    input.close();
    CHECK(input.stats().dead_lettered == 4);  // the kept dead letters are not dead-lettered again
    CHECK(engine.totals().events == 2);       // the good ones were evaluated
    CHECK(client.settled() == std::pair<uint64_t, int64_t>{0, 0});
}

// Issue 18 item 3: a dead letter published while no stream takes it (here: its subject has
// no stream yet; in a cluster: a leader election) must not be lost while its original is
// acknowledged. The originals stay with the worker, not acknowledged and not redelivered
// (InProgress), until a stream stores their dead letters; then each is stored once.
TEST_CASE("issue 18 item 3: a dead letter is stored by a stream before its original is acked") {
    test::NatsTestServer server;
    Client client(server.url());
    TempFile out, log_file;
    FileAlertSink sink(out.path);
    JsonlAlertFormat format;
    IngestEngine engine(rules(), format, sink, {.threads = 1});
    const int log_fd = ::open(log_file.path.c_str(), O_WRONLY | O_APPEND);
    REQUIRE(log_fd >= 0);
    Logger log(LogFormat::Json, LogLevel::Warning, log_fd);
    NatsSettings settings = settings_for(server);
    settings.dead_letter_subject = "dead.vigie";  // outside events.>: no stream holds it yet
    settings.ack_wait_seconds = 2;                // kept for longer than ack_wait below
    JetStreamInput input(settings, engine, log, only_demo);
    input.start();
    const std::string good = sample_events().front();
    client.publish("events.demo", good);
    client.publish("events.demo", "{\"EventID\": 1, oops}");  // rejected by the engine
    client.publish("events.demo", "{\"EventID\": ");          // truncated
    client.publish("events.unknown", good);
    client.publish("events.demo", "");
    client.publish("events.demo", good);
    REQUIRE(eventually([&] {
        const JetStreamStats s = input.stats();
        return s.acked == 2 && s.dead_letters_waiting == 4;
    }));
    // Kept for at least 4 retry rounds (2 x ack_wait): not acknowledged, not redelivered.
    REQUIRE(eventually([&] { return input.stats().dead_letter_retries >= 4; }));
    jsConsumerInfo* ci = nullptr;
    REQUIRE(js_GetConsumerInfo(&ci, client.js, "EVENTS", "vigie", nullptr, nullptr) == NATS_OK);
    CHECK(ci->NumAckPending == 4);
    CHECK(ci->NumRedelivered == 0);
    jsConsumerInfo_Destroy(ci);
    CHECK(input.stats().dead_lettered == 0);
    CHECK(input.stats().redelivered == 0);

    // The dead-letter stream comes: every dead letter stored once, every original acked.
    client.add_stream("DEAD", "dead.>");
    REQUIRE(eventually([&] { return input.stats().dead_lettered == 4; }));
    CHECK(client.settled() == std::pair<uint64_t, int64_t>{0, 0});
    input.stop();
    engine.drain();
    input.close();
    const JetStreamStats s = input.stats();
    CHECK(s.acked == 6);
    CHECK(s.redelivered == 0);
    CHECK(s.naked == 0);
    CHECK(s.dead_letters_waiting == 0);

    std::map<std::string, std::string> reasons;  // by payload
    std::set<std::string> ids;
    jsStreamInfo* si = nullptr;
    REQUIRE(js_GetStreamInfo(&si, client.js, "DEAD", nullptr, nullptr) == NATS_OK);
    CHECK(si->State.Msgs == 4);
    jsStreamInfo_Destroy(si);
    for (uint64_t seq = 1; seq <= 4; ++seq) {
        natsMsg* m = nullptr;
        REQUIRE(js_GetMsg(&m, client.js, "DEAD", seq, nullptr, nullptr) == NATS_OK);
        const char* error = "";
        const char* id = "";
        natsMsgHeader_Get(m, "Vigie-Error", &error);
        natsMsgHeader_Get(m, "Nats-Msg-Id", &id);
        ids.insert(id);
        CHECK(std::string(id).rfind("dl-EVENTS-", 0) == 0);
        reasons[std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m))] = error;
        natsMsg_Destroy(m);
    }
    CHECK(ids.size() == 4);  // one per original: its stream sequence
    CHECK(reasons[""] == "empty message");
    CHECK(reasons["{\"EventID\": "] == "truncated JSON document at line 1");
    CHECK(reasons[good] == "unknown agency unknown");
    CHECK(reasons["{\"EventID\": 1, oops}"].rfind("line 1: ", 0) == 0);
    // The log says what happened: not stored (kept), then stored, where.
    ::close(log_fd);
    const std::string logged = read_file(log_file.path);
    CHECK(logged.find("no nats stream stores nats.dead_letter_subject") != std::string::npos);
    CHECK(logged.find("nats dead letter not stored: its original kept") != std::string::npos);
    CHECK(logged.find("\"stored\":\"DEAD ") != std::string::npos);
    CHECK(logged.find("\"published\"") == std::string::npos);
}

// A full spool is back-pressure, not a failed delivery: the messages stay with the worker
// (their ack timers reset) and are evaluated again, never nak'd, so that a long hub outage
// cannot bring them to nats.max_deliver and the dead letters.
TEST_CASE(
    "alerts that could not be written are not acknowledged, evaluated again, not redelivered") {
    test::NatsTestServer server;
    Client client(server.url());
    TempFile out;
    FlakySink sink(out.path, 3);
    JsonlAlertFormat format;
    IngestEngine engine(rules(), format, sink, {.threads = 1});
    Logger log(LogFormat::Json, LogLevel::Error);
    NatsSettings settings = settings_for(server);
    settings.max_deliver = 1;  // a single nak would dead-letter the message
    JetStreamInput input(settings, engine, log, only_demo);
    input.start();
    const auto events = sample_events();
    for (const auto& e : events) client.publish("events.demo", e);
    REQUIRE(eventually([&] { return input.stats().acked == events.size(); }));
    input.stop();
    engine.drain();
    input.close();
    const JetStreamStats s = input.stats();
    CHECK(s.retried > 0);
    CHECK(s.naked == 0);
    CHECK(s.redelivered == 0);
    CHECK(s.dead_lettered == 0);
    CHECK(s.messages == events.size());
    std::string body;
    for (const auto& e : events) body += e + "\n";
    CHECK(count_lines(read_file(out.path)) == reference_alerts(body));
    CHECK(client.settled() == std::pair<uint64_t, int64_t>{0, 0});
}

// A sink that refuses every write while `refuse` is set, as a full spool does.
struct FullSpoolSink final : TextAlertSink {
    FileAlertSink file;
    std::atomic<bool> refuse{true};
    explicit FullSpoolSink(const std::string& path) : file(path) {}
    Status write(std::string_view alerts) override {
        if (refuse) return Error{"alert spool full (test)"};
        return file.write(alerts);
    }
    void flush() override { file.flush(); }
};

// Issue 18 item 4: input A's alerts cannot be written (a full spool) for longer than
// ack_wait x the consumer's MaxDeliver. A pauses: it fetches nothing more, re-evaluates one
// job a pause (not every job at once, not in a loop), and keeps its messages with
// InProgress, so that input B on the same consumer, fetching all along, is never handed
// one of them (no redelivery, nothing dead-lettered or dropped by max_deliver). Once the
// spool has room, every event has its alert once, and the figures count each event once.
TEST_CASE("issue 18 item 4: a full spool pauses the input and max_deliver loses nothing") {
    test::NatsTestServer server;
    Client client(server.url());
    const auto events = sample_events();
    TempFile out_a, out_b;
    FullSpoolSink sink_a(out_a.path);
    FileAlertSink sink_b(out_b.path);
    JsonlAlertFormat format;
    IngestEngine engine_a(rules(), format, sink_a, {.threads = 1});
    IngestEngine engine_b(rules(), format, sink_b, {.threads = 1});
    Logger log(LogFormat::Json, LogLevel::Error);
    NatsSettings settings = settings_for(server);
    settings.fetch_batch = 256;  // A takes every message in its first fetch
    settings.ack_wait_seconds = 2;
    settings.max_deliver = 1;  // the server gives a message up after 3 deliveries: 6 s
    client.add_stream("EVENTS", "events.>");  // the events first: A's first fetch takes all
    std::string body;
    for (const auto& e : events) {
        client.publish("events.demo", e);
        body += e + "\n";
    }
    JetStreamInput input_a(settings, engine_a, log, only_demo);
    input_a.start();
    REQUIRE(eventually(
        [&] { return input_a.stats().messages == events.size() && input_a.stats().retried >= 1; }));
    JetStreamInput input_b(settings, engine_b, log, only_demo);
    input_b.start();
    // 14 rounds of A (its job evaluated again after each pause of 500 ms): 7 s, more than
    // ack_wait x MaxDeliver.
    REQUIRE(eventually([&] { return input_a.stats().retried >= 14; }, 60));
    jsConsumerInfo* ci = nullptr;
    REQUIRE(js_GetConsumerInfo(&ci, client.js, "EVENTS", "vigie", nullptr, nullptr) == NATS_OK);
    CHECK(ci->NumRedelivered == 0);
    CHECK(ci->NumAckPending == static_cast<int64_t>(events.size()));
    jsConsumerInfo_Destroy(ci);
    CHECK(input_a.stats().messages == events.size());  // no fetch while paused
    CHECK(input_b.stats().messages == 0);              // none of A's messages redelivered

    sink_a.refuse = false;
    REQUIRE(eventually([&] { return input_a.stats().acked == events.size(); }));
    CHECK(client.settled() == std::pair<uint64_t, int64_t>{0, 0});
    for (auto* i : {&input_a, &input_b}) i->stop();
    engine_a.drain();
    engine_b.drain();
    for (auto* i : {&input_a, &input_b}) i->close();
    const JetStreamStats a = input_a.stats();
    CHECK(a.redelivered == 0);
    CHECK(a.dead_lettered == 0);
    CHECK(a.naked == 0);
    CHECK(input_b.stats().messages == 0);
    CHECK(count_lines(read_file(out_a.path)) == reference_alerts(body));
    IngestFigures figures = engine_a.figures();
    CHECK(figures.at("demo", IngestInput::Nats).received == events.size());  // counted once
    CHECK(engine_a.totals().events == events.size());
}

// A sink that refuses for good the alerts that hold `marker`, as a spool does alerts more
// than it holds in all.
struct TooLargeSink final : TextAlertSink {
    FileAlertSink file;
    explicit TooLargeSink(const std::string& path) : file(path) {}
    Status write(std::string_view alerts) override {
        if (alerts.find("TOO-LARGE-FOR-THE-SPOOL") != std::string_view::npos)
            return Error{"more than the whole alert spool holds (test)", {}, ErrorKind::Refused};
        return file.write(alerts);
    }
    void flush() override { file.flush(); }
};

// Issue 18 item 4: alerts the spool can never take must not pause the input for ever. The
// job is split; the other messages' alerts are written, the one message whose alerts are
// too large is dead-lettered with the reason.
TEST_CASE("issue 18 item 4: a message whose alerts the spool can never hold is dead-lettered") {
    test::NatsTestServer server;
    Client client(server.url());
    auto events = sample_events();
    std::string alerting;  // an event that gives alerts, marked
    for (const auto& e : events)
        if (alerting.empty() && reference_alerts(e + "\n") > 0) alerting = e;
    REQUIRE(!alerting.empty());
    const std::string marked = "{\"note\":\"TOO-LARGE-FOR-THE-SPOOL\"," + alerting.substr(1);
    TempFile out;
    TooLargeSink sink(out.path);
    JsonlAlertFormat format;
    IngestEngine engine(rules(), format, sink, {.threads = 1});
    Logger log(LogFormat::Json, LogLevel::Error);
    NatsSettings settings = settings_for(server);
    settings.fetch_batch = 256;
    client.add_stream("EVENTS", "events.>");  // the events first: one fetch, one job
    client.publish("events.demo", alerting);
    client.publish("events.demo", marked);
    client.publish("events.demo", alerting);
    JetStreamInput input(settings, engine, log, only_demo);
    input.start();
    // 3 published + the dead letter kept by the stream (events.dead is inside events.>).
    REQUIRE(eventually([&] { return input.stats().acked == 4; }));
    input.stop();
    engine.drain();
    input.close();
    const JetStreamStats s = input.stats();
    CHECK(s.dead_lettered == 1);
    CHECK(s.held == 0);
    CHECK(s.naked == 0);
    CHECK(count_lines(read_file(out.path)) == 2 * reference_alerts(alerting + "\n"));
    CHECK(client.settled() == std::pair<uint64_t, int64_t>{0, 0});
    IngestFigures figures = engine.figures();
    const IngestCounts& c = figures.at("demo", IngestInput::Nats);
    CHECK(c.received == 3);
    CHECK(c.rejected[static_cast<size_t>(RejectReason::OutputError)] == 1);
}

// A sink whose writes wait until release(): the engine behind it stops at its first alert.
struct GatedSink final : TextAlertSink {
    FileAlertSink file;
    std::mutex mutex;
    std::condition_variable cv;
    bool open = false;
    explicit GatedSink(const std::string& path) : file(path) {}
    Status write(std::string_view alerts) override {
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return open; });
        return file.write(alerts);
    }
    void flush() override { file.flush(); }
    void release() {
        {
            std::lock_guard lock(mutex);
            open = true;
        }
        cv.notify_all();
    }
};

// Issue 19 item 3: this test asserted that both inputs got messages and none was
// redelivered, which held only when both ran at the right speeds (ack_wait 5 s). The
// sharing is made certain here: input 1's engine stops at its first alert (its sink waits),
// so input 1 stops fetching at its in-flight bound (4 fetch batches) and input 2 must take
// the rest; ack_wait is far longer than the test, so a redelivery can only be a fault.
TEST_CASE("issue 19 item 3: two inputs on one consumer share the messages, each processed once") {
    test::NatsTestServer server;
    Client client(server.url());
    const auto events = sample_events();
    constexpr int kRounds = 20;
    std::string body;
    TempFile out1, out2;
    GatedSink sink1(out1.path);
    FileAlertSink sink2(out2.path);
    JsonlAlertFormat format;
    IngestEngine engine1(rules(), format, sink1, {.threads = 1});
    IngestEngine engine2(rules(), format, sink2, {.threads = 1});
    Logger log(LogFormat::Json, LogLevel::Warning);
    NatsSettings settings = settings_for(server);
    settings.ack_wait_seconds = 300;
    JetStreamInput input1(settings, engine1, log, only_demo);
    JetStreamInput input2(settings, engine2, log, only_demo);
    struct Release {  // whatever happens below, engine 1 can finish and stop
        GatedSink& sink;
        ~Release() { sink.release(); }
    } release{sink1};
    client.add_stream("EVENTS", "events.>");
    for (int r = 0; r < kRounds; ++r) {
        for (const auto& e : events) {
            client.publish("events.demo", e);
            body += e + "\n";
        }
    }
    const uint64_t total = events.size() * kRounds;
    input1.start();
    // Input 1 at its bound: fetched and not acknowledged, its engine waiting on the sink.
    const uint64_t bound = uint64_t{settings.fetch_batch} * 4;
    REQUIRE(eventually([&] { return input1.stats().in_flight + settings.fetch_batch > bound; }));
    input2.start();
    REQUIRE(eventually([&] { return input2.stats().acked + input1.stats().messages == total; }));
    CHECK(input1.stats().in_flight > 0);
    CHECK(input1.stats().in_flight <= bound);  // not the consumer's max_ack_pending
    CHECK(input1.stats().acked + input1.stats().in_flight == input1.stats().messages);
    sink1.release();
    REQUIRE(eventually([&] { return input1.stats().acked + input2.stats().acked == total; }));
    for (auto* i : {&input1, &input2}) i->stop();
    engine1.drain();
    engine2.drain();
    for (auto* i : {&input1, &input2}) i->close();
    const JetStreamStats a = input1.stats(), b = input2.stats();
    CHECK(a.messages + b.messages == total);
    CHECK(a.redelivered + b.redelivered == 0);
    CHECK(a.messages > 0);
    CHECK(b.messages > 0);  // input 1 at its bound left the rest of the stream to input 2
    CHECK(count_lines(read_file(out1.path)) + count_lines(read_file(out2.path)) ==
          reference_alerts(body));
    CHECK(client.settled() == std::pair<uint64_t, int64_t>{0, 0});
}

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    if (test::find_nats_server().empty()) {
        std::printf(
            "SKIP: nats-server is not installed (apt-get install nats-server); only the "
            "tests that need no server run\n");
        context.setOption("test-case",
                          // "?" for the comma of the name: a comma separates filters
                          "subjects? delivery counts*,issue 18 item 1: the start-up backoff*,"
                          "issue 18 item 1: which failures*,issue 18 item 1: passwords*,"
                          "issue 18 item 2: subjects a stream*,issue 18 item 2: each difference*");
        const int rc = context.run();
        return rc != 0 ? rc : 77;
    }
    return context.run();
}
