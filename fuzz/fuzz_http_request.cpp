// SPDX-License-Identifier: EUPL-1.2
// libFuzzer target: arbitrary bytes as an HTTP/1.1 request through the listener's own
// steps: Beast's parser with the listener's header and body limits, the request as the
// handlers see it, the header stage (IngestHandler::admit: auth, route, transfer coding,
// before any body), then the routes, auth, limits, gzip and NDJSON handling of the
// IngestHandler over a real engine (jobs run inline). Every request must get exactly
// one answer with a known status; a refusal on the header is an error status.
#include <boost/asio/buffer.hpp>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "core/token_digest.hpp"
#include "fuzz/fuzz_ruleset.hpp"
#include "pipeline/alerts/alert_format.hpp"
#include "pipeline/alerts/alert_sink.hpp"
#include "service/http/http_session.hpp"

namespace {

using namespace vigie;

constexpr const char* kRule = R"(
title: fields
id: f
logsource: {product: windows, category: process_creation}
detection:
  sel:
    CommandLine|contains|windash: ' -enc '
  condition: sel
)";

// Alerts are formatted and discarded: the target checks the handling, not the output.
class DiscardSink final : public TextAlertSink {
  public:
    Status write(std::string_view) override { return {}; }
    void flush() override {}
};

struct Fixture {
    Fixture() {
        auto ruleset = fuzz_ruleset(kRule);
        settings.max_body_bytes = 1 << 16;
        settings.max_event_bytes = 4096;
        engine = std::make_unique<IngestEngine>(ruleset, format, sink, IngestEngineOptions{0, 1});
        agencies = std::make_unique<AgencyRegistry>(
            std::vector<Agency>{{"demo", sha256_hex("tok"), {1e9, 1e9}}}, sha256_hex("adm"));
        handler =
            std::make_unique<IngestHandler>(*engine, *agencies, settings, log,
                                            [](const std::function<void(ReloadOutcome &&)>& done) {
                                                done({true, "{}"});
                                            });
    }
    JsonlAlertFormat format;
    DiscardSink sink;
    HttpSettings settings;
    Logger log{LogFormat::Json, LogLevel::Error};
    std::unique_ptr<IngestEngine> engine;
    std::unique_ptr<AgencyRegistry> agencies;
    std::unique_ptr<IngestHandler> handler;
};

// Feeds `buffer` to the parser until it stops (done, an error, or `header_only` and the
// header is complete); false on a parse error.
bool feed(boost::beast::http::request_parser<boost::beast::http::string_body>& parser,
          boost::asio::const_buffer& buffer, bool header_only) {
    boost::beast::error_code ec;
    while (buffer.size() > 0 && !parser.is_done() && !(header_only && parser.is_header_done())) {
        size_t used = parser.put(buffer, ec);
        if (ec || used == 0) break;
        buffer += used;
    }
    if (!ec && !parser.is_done() && !(header_only && parser.is_header_done())) parser.put_eof(ec);
    return !ec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Fixture fixture;
    namespace http = boost::beast::http;
    http::request_parser<http::string_body> parser;
    parser.header_limit(http_detail::kHeaderLimit);
    parser.body_limit(fixture.settings.max_body_bytes);
    parser.eager(false);  // put() stops once the header is parsed
    auto buffer = boost::asio::const_buffer(data, size);
    // The header stage, as the listener does it: admitted or refused on the header alone,
    // before any of the body is read; a refusal is the answer.
    if (!feed(parser, buffer, true) || !parser.is_header_done()) return 0;  // 400/413/431
    const bool has_body = !parser.is_done();
    Admission admission =
        fixture.handler->admit(http_detail::to_request_head(parser.get(), "fuzz"), has_body);
    if (admission.refusal) {
        if (admission.refusal->status < 400 || admission.refusal->status > 599) std::abort();
        return 0;
    }
    parser.eager(true);
    if (!feed(parser, buffer, false) || !parser.is_done()) return 0;  // dropped or 400/413
    HttpRequest request = http_detail::to_request(parser.release(), "fuzz");
    int answers = 0;
    unsigned status = 0;
    fixture.handler->handle(std::move(request), [&](HttpAnswer&& a) {
        ++answers;
        status = a.status;
    });
    if (answers != 1 || status < 200 || status > 599) std::abort();
    return 0;
}
