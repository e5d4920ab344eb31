// SPDX-License-Identifier: EUPL-1.2
// Issue 19 item 8: no secret in any log line. The logger masks credentials in every URL a
// record holds, whichever code wrote it; the end-to-end check is
// tests/docs/item08_no_secret_in_logs.sh.
#include "core/credential_redaction.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "core/logger.hpp"

using namespace vigie;

TEST_CASE("issue 19 item 8: URL passwords and lone tokens are masked, the rest kept") {
    CHECK(redact_url_credentials("nats://vigie:s3cret@hub1:4222") == "nats://vigie:***@hub1:4222");
    CHECK(redact_url_credentials("tls://t0ken@hub1:4222") == "tls://***@hub1:4222");
    CHECK(redact_url_credentials("push to http://u:p%40ss@gw:9091/metrics/job/vigie failed") ==
          "push to http://u:***@gw:9091/metrics/job/vigie failed");
    CHECK(redact_url_credentials("nats://a:pw1@h1:4222,nats://pw2@h2:4222") ==
          "nats://a:***@h1:4222,nats://***@h2:4222");
    CHECK(redact_url_credentials("http://host:8080/a@b/c") == "http://host:8080/a@b/c");
    CHECK(redact_url_credentials("no url here: user:pw@host") == "no url here: user:pw@host");
    CHECK(redact_url_credentials("") == "");
}

TEST_CASE("issue 19 item 8: secret query parameters are masked, others kept") {
    CHECK(redact_url_credentials("https://siem/hook?token=abc&batch=3") ==
          "https://siem/hook?token=***&batch=3");
    CHECK(redact_url_credentials("https://x/y?limit=10&API_KEY=k&sig=s&next=n") ==
          "https://x/y?limit=10&API_KEY=***&sig=***&next=n");
    CHECK(redact_url_credentials("https://x/?password") == "https://x/?password");
}

TEST_CASE("issue 19 item 8: a log record never holds a URL credential, JSON or logfmt") {
    for (LogFormat format : {LogFormat::Json, LogFormat::Logfmt}) {
        Logger log(format, LogLevel::Debug);
        const std::string line =
            log.format(LogLevel::Warning, "pushgateway push to http://pg:PushPass@gw:9091 failed",
                       {{"url", "https://fed:FedPass@peer/api1/?limit=5&token=QueryTok"},
                        {"servers", "nats://n:NatsPass@h1:4222,nats://NatsTok@h2:4222"}});
        INFO(line);
        for (const char* secret : {"PushPass", "FedPass", "QueryTok", "NatsPass", "NatsTok"})
            CHECK(line.find(secret) == std::string::npos);
        CHECK(line.find("http://pg:***@gw:9091") != std::string::npos);
    }
}
