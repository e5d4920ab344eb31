// SPDX-License-Identifier: EUPL-1.2
// Issue 18 items 1 and 2 in process: the events stream created with the configured
// settings on a real nats-server, an existing stream that differs left as it is and each
// difference said (log, `config check` diagnostics at the key's place), a refusal of the
// server ended at once, no server at all retried then given up with the servers and the
// reason, and a stop asked for during the retries ending them. The cluster cases (replicas
// 3, a node down, the cluster back during the retries) are in cluster_startup_test.sh.
#include "service/nats/jetstream_setup.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "service/nats/stream_config_check.hpp"
#include "tests/nats/nats_test_server.hpp"

using namespace vigie;

namespace {

// A Logger writing to a temporary file, read back by text().
struct CapturedLog {
    std::string path;
    int fd = -1;
    Logger logger;
    CapturedLog()
        : path(make()),
          fd(::open(path.c_str(), O_WRONLY | O_APPEND)),
          logger(LogFormat::Json, LogLevel::Info, fd) {}
    ~CapturedLog() {
        ::close(fd);
        std::remove(path.c_str());
    }
    static std::string make() {
        char name[] = "/tmp/vigie-setup-log-XXXXXX";
        ::close(::mkstemp(name));
        return name;
    }
    [[nodiscard]] std::string text() const {
        std::ifstream in(path);
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }
};

NatsSettings settings_on(const std::string& url) {
    NatsSettings s;
    s.enabled = true;
    s.servers = {url};
    s.connect_retry_seconds = 5;
    return s;
}

StreamFacts as_configured() {
    StreamFacts f;
    f.name = "EVENTS";
    f.subjects = {"events.>"};
    f.replicas = 3;
    f.max_age_ns = 86400LL * 1'000'000'000;
    f.max_bytes = 1'000'000;
    f.duplicate_window_ns = 300LL * 1'000'000'000;
    return f;
}

NatsSettings configured() {
    NatsSettings s;
    s.stream_settings = {3, 86400, 1'000'000, 300};
    return s;
}

// A loopback URL where nothing listens.
std::string dead_url() {
    return "nats://127.0.0.1:" + std::to_string(test::free_loopback_port());
}

// The error that ends open_jetstream's start-up for `s` ("" when it opens: then closed at
// once), its log lines in `log`; `connected`: whether it left a connection behind.
std::string startup_error(const NatsSettings& s, CapturedLog& log, bool& connected) {
    NatsEvents events;
    events.log = &log.logger;
    NatsHandles h;
    std::string error;
    try {
        open_jetstream(s, events, h);
    } catch (const std::runtime_error& e) {
        error = e.what();
    }
    connected = h.connection != nullptr;
    if (error.empty()) {
        events.closing = true;
        close_jetstream(h);
    }
    return error;
}

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("issue 18 item 2: subjects a stream takes, wildcards included") {
    CHECK(subject_covers("events.>", "events.>"));
    CHECK(subject_covers(">", "events.>"));
    CHECK(subject_covers("*.>", "events.>"));
    CHECK_FALSE(subject_covers("events.*", "events.>"));  // events.a.b is not taken
    CHECK_FALSE(subject_covers("events.demo", "events.>"));
    CHECK_FALSE(subject_covers("other.>", "events.>"));
    CHECK(subject_covers("events.*", "events.demo"));
    CHECK_FALSE(subject_covers("events.>", "events"));
}

TEST_CASE("issue 18 item 1: the start-up backoff doubles from 250 ms to 5 s") {
    StartupClock forever(0);
    std::vector<long> waits;
    waits.reserve(7);
    for (int i = 0; i < 7; ++i) waits.push_back(static_cast<long>(forever.next_wait()->count()));
    CHECK(waits == std::vector<long>{250, 500, 1000, 2000, 4000, 5000, 5000});
    StartupClock bounded(60);
    CHECK(bounded.next_wait()->count() == 250);
}

TEST_CASE("issue 18 item 1: which failures are retried at start-up") {
    CHECK(transient(NATS_NO_SERVER, {}));  // every server down
    CHECK(transient(NATS_TIMEOUT, {}));    // a leader election, a node down
    CHECK(transient(NATS_NO_RESPONDERS, {}));
    CHECK(transient(NATS_ERR, JSClusterNotAvailErr));
    CHECK(transient(NATS_ERR, JSClusterNoPeersErr));
    CHECK(transient(NATS_ERR, JSStreamNameExistErr));  // another worker created it meanwhile
    CHECK_FALSE(transient(NATS_ERR, JSStreamReplicasNotSupportedErr));
    CHECK_FALSE(transient(NATS_ERR, JSStreamSubjectOverlapErr));
    CHECK_FALSE(transient(NATS_NOT_PERMITTED, {}));
    CHECK_FALSE(transient(NATS_CONNECTION_AUTH_FAILED, {}));
}

TEST_CASE("issue 18 item 1: passwords in server URLs are masked in logs and messages") {
    CHECK(server_list({"nats://vigie:secret@127.0.0.1:4222", "nats://127.0.0.1:4223",
                       "tls://s3cr3t-token@hub:4222"}) ==
          "nats://vigie:***@127.0.0.1:4222,nats://127.0.0.1:4223,tls://***@hub:4222");
}

TEST_CASE("issue 18 item 2: each difference of the stream is said with both values") {
    CHECK(stream_differences(configured(), as_configured()).empty());
    StreamFacts operator_made = as_configured();
    operator_made.replicas = 1;
    operator_made.max_age_ns = 0;
    operator_made.max_bytes = -1;
    operator_made.duplicate_window_ns = 120LL * 1'000'000'000;
    operator_made.subjects = {"events.*"};
    const auto d = stream_differences(configured(), operator_made);
    REQUIRE(d.size() == 5);
    CHECK(d[0].key == "nats.replicas");
    CHECK(d[0].message == "nats stream EVENTS has replicas 1, the configuration says 3");
    CHECK(d[1].key == "nats.max_age_seconds");
    CHECK(d[1].message ==
          "nats stream EVENTS has max_age_seconds 0 (unlimited), the configuration says 86400");
    CHECK(d[2].key == "nats.max_bytes");
    CHECK(d[2].message ==
          "nats stream EVENTS has max_bytes 0 (unlimited), the configuration says 1000000");
    CHECK(d[3].key == "nats.duplicate_window_seconds");
    CHECK(d[4].key == "nats.subjects");
    CHECK(d[4].message.find("[events.*], which do not cover the configuration's events.>") !=
          std::string::npos);
    // max_bytes 0 in the configuration is the server's -1: both unlimited, no difference.
    NatsSettings unlimited = configured();
    unlimited.stream_settings.max_bytes = 0;
    StreamFacts server = as_configured();
    server.max_bytes = -1;
    CHECK(stream_differences(unlimited, server).empty());
}

TEST_CASE(
    "issue 18 item 2: the stream is created with the configured settings, then never changed") {
    test::NatsTestServer server;
    CapturedLog log;
    NatsSettings s = settings_on(server.url());
    s.stream_settings = {1, 3600, 10'000'000, 30};
    {
        NatsEvents events;
        events.log = &log.logger;
        NatsHandles h;
        open_jetstream(s, events, h);
        const std::optional<StreamFacts> made = read_stream(h, "EVENTS");
        REQUIRE(made);
        CHECK(made->replicas == 1);
        CHECK(made->max_age_ns == 3600LL * 1'000'000'000);
        CHECK(made->max_bytes == 10'000'000);
        CHECK(made->duplicate_window_ns == 30LL * 1'000'000'000);
        CHECK(stream_differences(s, *made).empty());
        events.closing = true;
        close_jetstream(h);
    }
    CHECK(log.text().find("\"msg\":\"nats stream created\"") != std::string::npos);

    NatsSettings other = s;  // a worker configured otherwise: warned, the stream kept
    other.stream_settings.max_age_seconds = 7200;
    other.stream_settings.max_bytes = 0;
    NatsEvents events;
    events.log = &log.logger;
    NatsHandles h;
    open_jetstream(other, events, h);
    const std::string text = log.text();
    CHECK(text.find("nats stream EVENTS has max_age_seconds 3600, the configuration says 7200"
                    "; the stream is not changed\",\"key\":\"nats.max_age_seconds\"") !=
          std::string::npos);
    CHECK(text.find("has max_bytes 10000000, the configuration says 0 (unlimited)") !=
          std::string::npos);
    CHECK(read_stream(h, "EVENTS")->max_age_ns == 3600LL * 1'000'000'000);
    events.closing = true;
    close_jetstream(h);

    // config check: each difference at its key's place; the file's when the key is unwritten.
    ConfigPlaces places;
    places.origin = "vigie.yaml";
    places.keys["nats.max_age_seconds"] = {"vigie.yaml", 12, 3};
    const StreamCheckOutcome check = check_stream_settings(other, places);
    REQUIRE(check.diagnostics.size() == 2);
    CHECK(check.diagnostics[0].format() ==
          "vigie.yaml:12:3: warning: nats.max_age_seconds: nats stream EVENTS has "
          "max_age_seconds 3600, the configuration says 7200");
    CHECK(check.diagnostics[1].format() ==
          "vigie.yaml: warning: nats.max_bytes: nats stream EVENTS has max_bytes 10000000, the "
          "configuration says 0 (unlimited)");
    other.stream = "MISSING";
    other.subjects = "missing.>";
    const StreamCheckOutcome missing = check_stream_settings(other, places);
    CHECK(missing.diagnostics.empty());
    CHECK(missing.note.find("nats stream MISSING does not exist yet") == 0);
}

TEST_CASE("issue 18 item 2: a stream the server refuses ends the start-up at once, not retried") {
    test::NatsTestServer server;  // one server: no replicas
    CapturedLog log;
    NatsSettings s = settings_on(server.url());
    s.connect_retry_seconds = 0;  // forever, were it retried
    s.stream_settings.replicas = 3;
    bool connected = true;
    const std::string error = startup_error(s, log, connected);
    INFO(error);
    CHECK(error.find("cannot create NATS stream EVENTS on events.> with 3 replicas") == 0);
    CHECK(error.find("JetStream error 10074") != std::string::npos);
    CHECK(log.text().find("retrying") == std::string::npos);
    CHECK_FALSE(connected);
}

TEST_CASE("issue 18 item 1: no server answers: retried, then given up naming the servers") {
    CapturedLog log;
    const std::string a = dead_url(), b = dead_url();
    NatsSettings s = settings_on(a);
    s.servers.push_back(b);
    s.connect_retry_seconds = 1;
    bool connected = true;
    const std::string error = startup_error(s, log, connected);
    INFO(error);
    CHECK(error.find("NATS not ready after 1 s (nats.connect_retry_seconds)") == 0);
    CHECK(error.find("servers " + a + "," + b + ": cannot connect to NATS at " + a + "," + b +
                     ": No server available for connection") != std::string::npos);
    CHECK(count(log.text(), "\"msg\":\"nats not ready at start-up; retrying\"") >= 2);
    CHECK_FALSE(connected);
}

TEST_CASE("issue 18 item 1: a stop asked for during the retries ends them") {
    CapturedLog log;
    NatsSettings s = settings_on(dead_url());
    s.connect_retry_seconds = 0;  // forever
    sigset_t term, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    REQUIRE(pthread_sigmask(SIG_BLOCK, &term, &old) == 0);  // as vigie serve during start-up
    // A blocked SIGTERM sent to this thread stays pending, as a stop asked for during start-up:
    // nothing is terminated, the retries read it.
    // NOLINTNEXTLINE(bugprone-bad-signal-to-kill-thread)
    REQUIRE(pthread_kill(pthread_self(), SIGTERM) == 0);
    NatsEvents events;
    events.log = &log.logger;
    NatsHandles h;
    bool stopped = false;
    try {
        open_jetstream(s, events, h);
    } catch (const NatsStartupStopped& e) {
        stopped = std::string(e.what()).find("stopped while waiting for NATS at ") == 0;
    }
    const timespec now{0, 0};
    sigtimedwait(&term, nullptr, &now);  // take the signal back
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    CHECK(stopped);
    CHECK(count(log.text(), "retrying") == 1);
}
