// SPDX-License-Identifier: EUPL-1.2
// The `vigie serve` configuration: defaults, the sample file, and the exact error (with
// file:line:col) each kind of mistake gives.
#include <doctest/doctest.h>

#include <string>

#include "app/config/config_reader.hpp"
#include "core/listen_address.hpp"
#include "core/nats_servers.hpp"
#include "core/token_digest.hpp"
#include "tests/unit/config_errors.hpp"

using namespace vigie;
using vigie::test::config_errors;

TEST_CASE("an empty file gives every default") {
    Diagnostics diags;
    auto c = ConfigReader("vigie.yaml", diags).read("");
    REQUIRE(c.has_value());
    CHECK(c->http.listen == ListenAddress{"127.0.0.1", 8080});
    CHECK(c->metrics_listen == ListenAddress{"127.0.0.1", 9464});
    CHECK(c->http.max_body_bytes == 16ULL << 20);
    CHECK(c->rules.paths == std::vector<std::string>{"rules"});
    CHECK_FALSE(c->nats.enabled);
    CHECK(c->agencies.empty());
    CHECK(c->admin_token_sha256.empty());
    CHECK(c->log_format == LogFormat::Json);
    CHECK(c->metrics_enabled);
}

TEST_CASE("samples/vigie.yaml is valid and holds the demo agency README's curl examples use") {
    Diagnostics diags;
    auto c = load_serve_config(std::string(VIGIE_SOURCE_DIR) + "/samples/vigie.yaml", diags);
    REQUIRE_MESSAGE(c.has_value(), (diags.empty() ? "" : diags.front().format()));
    REQUIRE(c->agencies.size() == 1);
    CHECK(c->agencies[0].id == "demo");
    CHECK(c->agencies[0].token_sha256 == sha256_hex("demo-token-change-me"));
    CHECK(c->admin_token_sha256 == sha256_hex("admin-token-change-me"));
    CHECK_FALSE(c->nats.enabled);  // runs without a NATS server
    CHECK(c->http.listen.host == "127.0.0.1");
}

TEST_CASE("values are read with their types") {
    Diagnostics diags;
    auto c = ConfigReader("vigie.yaml", diags)
                 .read(
                     "http: {listen: '[::1]:8443', max_connections: 10}\n"
                     "rules: {paths: rules/windows}\nengine: {threads: 2}\n"
                     "log: {format: logfmt, level: debug}\n"
                     "agencies:\n  - id: chu-lyon\n    token_sha256: " +
                     std::string(64, 'A') + "\n    rate_limit: {events_per_second: 0.5}\n");
    REQUIRE(c.has_value());
    CHECK(c->http.listen == ListenAddress{"::1", 8443});
    CHECK(c->http.listen.to_string() == "[::1]:8443");
    CHECK(c->http.max_connections == 10);
    CHECK(c->rules.paths == std::vector<std::string>{"rules/windows"});
    CHECK(c->threads == 2);
    CHECK(c->log_format == LogFormat::Logfmt);
    CHECK(c->log_level == LogLevel::Debug);
    CHECK(c->agencies[0].token_sha256 == std::string(64, 'a'));  // stored lower-case
    CHECK(c->agencies[0].rate_limit.events_per_second == 0.5);
    CHECK(c->agencies[0].rate_limit.burst == 20000);
}

TEST_CASE("each mistake is an error at its place") {
    const std::string digest = sha256_hex("t");
    CHECK(config_errors("http:\n  lisen: 1.2.3.4:80\n") ==
          "vigie.yaml:2:3: unknown setting http.lisen (known here: listen, max_body_bytes, "
          "max_event_bytes, max_connections, read_timeout_seconds, header_timeout_seconds, "
          "idle_timeout_seconds, request_threads, tls)\n");
    CHECK(config_errors("http: {listen: localhost}\n") ==
          "vigie.yaml:1:16: http.listen: expected HOST:PORT, e.g. 127.0.0.1:8080 or "
          "[::1]:8080\n");
    CHECK(config_errors("http: {listen: '::1:80'}\n") ==
          "vigie.yaml:1:16: http.listen: an IPv6 host is written in brackets: [::1]:8080\n");
    CHECK(config_errors("metrics: {listen: '127.0.0.1:70000'}\n") ==
          "vigie.yaml:1:19: metrics.listen: the port must be a number from 0 (any free port) to "
          "65535\n");
    CHECK(config_errors("http: {max_connections: -3}\n") ==
          "vigie.yaml:1:25: http.max_connections must be a whole number from 1 to 1000000\n");
    CHECK(config_errors("nats: {enabled: yes please}\n") ==
          "vigie.yaml:1:17: nats.enabled must be true or false\n");
    CHECK(config_errors("log: {level: loud}\n") ==
          "vigie.yaml:1:14: log.level must be one of: debug, info, warning, error\n");
    CHECK(config_errors("agencies:\n  - id: demo\n    token: secret\n") ==
          "vigie.yaml:3:12: store the token's SHA-256 as token_sha256 (printf %s TOKEN | "
          "sha256sum), never the token itself\nvigie.yaml:2:5: agency demo has no token_sha256\n");
    CHECK(config_errors("agencies:\n  - id: demo\n    token_sha256: abc\n") ==
          "vigie.yaml:3:19: agencies[0].token_sha256 must be the 64 hex digits of the token's "
          "SHA-256 (printf %s TOKEN | sha256sum)\n");
    CHECK(config_errors("agencies:\n  - {id: a, token_sha256: " + digest +
                        "}\n  - {id: a, token_sha256: " + sha256_hex("u") + "}\n") ==
          "vigie.yaml:3:5: agency a is defined twice\n");
    CHECK(config_errors("agencies:\n  - {id: a, token_sha256: " + digest +
                        "}\n  - {id: b, token_sha256: " + digest + "}\n") ==
          "vigie.yaml:3:5: agency b has the token of another agency\n");
    CHECK(config_errors("agencies:\n  - {id: 'events.*', token_sha256: " + digest + "}\n") ==
          "vigie.yaml:2:5: an agency needs an id of letters, digits, '-' or '_' (at most 64)\n");
    CHECK(config_errors("http: {tls: {enabled: true}}\n") ==
          "vigie.yaml: http.tls.enabled needs http.tls.certificate and http.tls.private_key\n");
    CHECK(config_errors("http: [\n") == "vigie.yaml:2:1: end of sequence flow not found\n");
    CHECK(config_errors("http: {read_timeout_seconds: 08}\n") == "");  // base 10, not octal
    CHECK(config_errors("http: {read_timeout_seconds: 0x10}\n") ==
          "vigie.yaml:1:30: http.read_timeout_seconds must be a whole number from 1 to 3600\n");
    CHECK(config_errors("http: {listen: '127.0.0.1:80'}\nhttp: {max_connections: 2}\n") ==
          "vigie.yaml:2:1: setting http is given twice\n");
    CHECK(config_errors("agencies:\n  - {id: a, token_sha256: " + digest + "}\n  -\n") ==
          "vigie.yaml:2:3: agencies[1] is empty\n");
    CHECK(config_errors(
              "metrics:\n  enabled: false\n  pushgateway: {url: 'http://127.0.0.1:9091'}\n") ==
          "vigie.yaml:2:3: metrics.pushgateway needs metrics.enabled: true (it pushes them)\n");
    CHECK(config_errors("metrics: {enabled: false}\n") == "");
    CHECK(config_errors("- just a list\n") ==
          "vigie.yaml:1:1: the configuration must be a mapping of settings\n");
}

TEST_CASE("numbers are read in base 10") {
    Diagnostics diags;
    auto c = ConfigReader("vigie.yaml", diags).read("http: {read_timeout_seconds: 010}\n");
    REQUIRE(c.has_value());
    CHECK(c->http.read_timeout_seconds == 10);
}

TEST_CASE("token digests are SHA-256 in lower-case hex") {
    // FIPS 180-2 test vector.
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(is_sha256_hex(sha256_hex("")));
    CHECK_FALSE(is_sha256_hex(std::string(63, 'a')));
    CHECK_FALSE(is_sha256_hex(std::string(64, 'g')));
}

TEST_CASE("nats settings: defaults, values and each mistake at its place") {
    Diagnostics diags;
    auto d = ConfigReader("vigie.yaml", diags).read("nats: {enabled: true}\n");
    REQUIRE(d.has_value());
    CHECK(d->nats.subjects == "events.>");
    CHECK(d->nats.fetch_batch == 256);
    CHECK(d->nats.ack_wait_seconds == 30);
    CHECK(d->nats.max_deliver == 5);
    CHECK(d->nats.max_ack_pending == 20000);

    auto c = ConfigReader("vigie.yaml", diags)
                 .read(
                     "nats:\n  subjects: soc.in.>\n  fetch_batch: 64\n  ack_wait_seconds: 2\n"
                     "  max_deliver: 5\n  max_ack_pending: 100\n  dead_letter_subject: soc.dl\n");
    REQUIRE(c.has_value());
    CHECK(c->nats.subjects == "soc.in.>");
    CHECK(c->nats.fetch_batch == 64);
    CHECK(c->nats.ack_wait_seconds == 2);
    CHECK(c->nats.max_deliver == 5);
    CHECK(c->nats.max_ack_pending == 100);
    CHECK(c->nats.dead_letter_subject == "soc.dl");
    CHECK(c->nats.servers == std::vector<std::string>{"nats://127.0.0.1:4222"});

    // A cluster: a comma list or a YAML list, the stream settings a hub operator sets.
    auto cluster = ConfigReader("vigie.yaml", diags)
                       .read(
                           "nats:\n  url: nats://a:4222, nats://b:4222,tls://c:4222\n"
                           "  replicas: 3\n  max_age_seconds: 86400\n  max_bytes: 1000000\n"
                           "  duplicate_window_seconds: 300\n  inbox_prefix: _INBOX_demo\n"
                           "  credentials: demo.creds\n  connect_retry_seconds: 0\n");
    REQUIRE(cluster.has_value());
    CHECK(cluster->nats.servers ==
          std::vector<std::string>{"nats://a:4222", "nats://b:4222", "tls://c:4222"});
    CHECK(cluster->nats.stream_settings.replicas == 3);
    CHECK(cluster->nats.stream_settings.max_age_seconds == 86400);
    CHECK(cluster->nats.stream_settings.max_bytes == 1000000);
    CHECK(cluster->nats.stream_settings.duplicate_window_seconds == 300);
    CHECK(cluster->nats.inbox_prefix == "_INBOX_demo");
    CHECK(cluster->nats.credentials == "demo.creds");
    CHECK(cluster->nats.connect_retry_seconds == 0);
    auto listed =
        ConfigReader("vigie.yaml", diags).read("nats:\n  url: [nats://a:4222, 'nats://b:4222']\n");
    REQUIRE(listed.has_value());
    CHECK(listed->nats.servers == std::vector<std::string>{"nats://a:4222", "nats://b:4222"});

    CHECK(config_errors("nats: {subjects: events.*}\n") ==
          "vigie.yaml:1:18: nats.subjects must be a subject prefix and .> (events.>)\n");
    CHECK(config_errors("nats: {subjects: '>'}\n") ==
          "vigie.yaml:1:18: nats.subjects must be a subject prefix and .> (events.>)\n");
    CHECK(config_errors("nats: {consumer: my.consumer}\n") ==
          "vigie.yaml:1:18: nats.consumer must be a name of letters, digits, '-' or '_'\n");
    CHECK(config_errors("nats: {stream: ''}\n") ==
          "vigie.yaml:1:16: nats.stream must be a name of letters, digits, '-' or '_'\n");
    CHECK(config_errors("nats: {dead_letter_subject: dead.>}\n") ==
          "vigie.yaml:1:29: nats.dead_letter_subject must be a subject without wildcards\n");
    CHECK(config_errors("nats: {url: [{a: b}]}\n") ==
          "vigie.yaml:1:14: nats.url must list server URLs (strings)\n");
    CHECK(config_errors("nats: {url: 'nats://a:4222,http://b:4222'}\n") ==
          "vigie.yaml:1:13: nats.url: server URL 'http://b:4222' must be nats:// or tls://\n");
    CHECK(config_errors("nats: {url: 'nats://a:4222,,nats://c:4222'}\n") ==
          "vigie.yaml:1:13: nats.url: an empty server URL\n");
    CHECK(config_errors("nats: {inbox_prefix: '_INBOX.>'}\n") ==
          "vigie.yaml:1:22: nats.inbox_prefix must be a subject without wildcards (_INBOX_demo)\n");
    CHECK(config_errors("nats: {replicas: 7}\n") ==
          "vigie.yaml:1:18: nats.replicas must be a whole number from 1 to 5\n");
    CHECK(config_errors("nats: {max_age_seconds: 60, duplicate_window_seconds: 120}\n") ==
          "vigie.yaml:1:7: nats.duplicate_window_seconds must not exceed max_age_seconds\n");
    CHECK(config_errors("nats:\n  ack_wait_seconds: 0\n") ==
          "vigie.yaml:2:21: nats.ack_wait_seconds must be a whole number from 1 to 3600\n");
    CHECK(config_errors("nats: {fetch_batch: 20000}\n") ==
          "vigie.yaml:1:21: nats.fetch_batch must be a whole number from 1 to 10000\n");
    CHECK(config_errors("nats: {max_ack_pending: 0}\n") ==
          "vigie.yaml:1:25: nats.max_ack_pending must be a whole number from 1 to 1000000\n");
}

TEST_CASE("issue 18: a NATS server list is shown without its passwords or tokens") {
    CHECK(redacted_nats_url("nats://vigie:secret@hub1:4222") == "nats://vigie:***@hub1:4222");
    CHECK(redacted_nats_url("tls://token@hub1:4222") == "tls://***@hub1:4222");
    CHECK(redacted_nats_url("user:pw@hub1:4222") == "user:***@hub1:4222");
    CHECK(redacted_nats_url("nats://hub1:4222/a@b") == "nats://hub1:4222/a@b");
    CHECK(redacted_nats_servers({"nats://a:1", "nats://u:p@b:2"}) == "nats://a:1,nats://u:***@b:2");
}

TEST_CASE("alert outputs, spool, suppression and pushgateway are read with their types") {
    Diagnostics diags;
    auto c =
        ConfigReader("vigie.yaml", diags)
            .read(
                "alerts:\n"
                "  format: ocsf\n"
                "  event_fields: [Event.System.Computer]\n"
                "  suppression: {window_seconds: 60, fields: [User]}\n"
                "  outputs:\n"
                "    - {name: a, type: file, path: /tmp/a, rotate_bytes: 1000, fsync: always}\n"
                "    - {name: hub, type: nats, url: 'nats://h:4222', min_level: high,\n"
                "       agencies: [demo], tags: [attack.t1059], exclude_rules: [r1]}\n"
                "    - {name: w, type: webhook, url: 'http://h/x', secret_env: S, batch: 5}\n"
                "    - {name: s, type: syslog, address: '127.0.0.1:514', facility: 4}\n"
                "spool: {directory: /tmp/spool, max_bytes: 2097152}\n"
                "metrics:\n  pushgateway: {url: 'http://pg:9091', agency: demo}\n");
    REQUIRE(c.has_value());
    CHECK(c->alerts_format == "ocsf");
    CHECK(c->alert_content.event_fields == std::vector<std::string>{"Event.System.Computer"});
    CHECK(c->suppression.window_seconds == 60);
    REQUIRE(c->outputs.size() == 4);
    CHECK(c->outputs[0].type == OutputType::File);
    CHECK(c->outputs[0].file.fsync == FsyncPolicy::Always);
    CHECK(c->outputs[0].file.rotate_bytes == 1000);
    CHECK_FALSE(c->outputs[0].forwards());
    CHECK(c->outputs[1].forwards());
    CHECK(c->outputs[1].filter.min_level == Level::High);
    CHECK(c->outputs[1].filter.agencies == std::vector<std::string>{"demo"});
    CHECK(c->outputs[2].webhook.batch == 5);
    CHECK(c->outputs[3].syslog.facility == 4);
    CHECK(c->spool.max_bytes == 2097152);
    CHECK(c->pushgateway.url == "http://pg:9091");
    CHECK(c->pushgateway.agency == "demo");
}

TEST_CASE("each output mistake is an error at its place") {
    CHECK(config_errors("alerts:\n  outputs:\n    - {name: a, type: kafka}\n") ==
          "vigie.yaml:3:23: alerts.outputs[0].type must be one of: stdout, file, nats, "
          "webhook, syslog\n");
    CHECK(config_errors("alerts:\n  outputs:\n    - {name: a, type: nats, path: /x}\n") ==
          "vigie.yaml:3:29: unknown setting alerts.outputs[0].path (known here: type, name, "
          "min_level, agencies, tags, exclude_rules, tlp_amber, inside_organisation, url, "
          "inbox_prefix, subject_prefix, credentials, batch, ack_timeout_ms)\n");
    CHECK(config_errors("alerts:\n  outputs:\n    - {name: a, type: file}\n") ==
          "vigie.yaml:3:7: alerts.outputs[0]: a file output needs a path\n");
    CHECK(config_errors("alerts:\n  outputs:\n    - {name: a, type: stdout}\n    - {name: a, type: "
                        "stdout}\n") ==
          "vigie.yaml:4:7: alerts.outputs[1]: output name 'a' is used twice\n");
    CHECK(config_errors("alerts:\n  outputs:\n    - {name: a, type: stdout, min_level: loud}\n") ==
          "vigie.yaml:3:42: alerts.outputs[0].min_level must be one of: informational, "
          "low, medium, high, critical\n");
    CHECK(config_errors("alerts:\n  outputs:\n    - {type: stdout}\n") ==
          "vigie.yaml:3:7: alerts.outputs[0] must be a mapping with at least name and type\n");
    CHECK(config_errors("spool: {max_bytes: 10}\n") ==
          "vigie.yaml:1:20: spool.max_bytes must be a whole number from 1048576 to "
          "17592186044416\n");
}
