// SPDX-License-Identifier: EUPL-1.2
#include "service/http/ingest_handler.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstring>
#include <utility>

#include "core/json_text.hpp"
#include "core/text.hpp"
#include "service/http/gzip_body.hpp"

namespace vigie {

namespace {

// Rejections listed in one answer; beyond it only their number is given (a body of a
// million bad lines must not produce a response larger than itself).
constexpr size_t kMaxListedRejections = 1000;

// The media type without parameters ("application/x-ndjson; charset=utf-8").
std::string media_type(std::string_view content_type) {
    std::string t = ascii_lower(content_type.substr(0, content_type.find(';')));
    while (!t.empty() && t.back() == ' ') t.pop_back();
    return t;
}

bool readable_media_type(std::string_view content_type) {
    if (content_type.empty()) return true;  // NDJSON is assumed
    const std::string t = media_type(content_type);
    return t == "application/x-ndjson" || t == "application/ndjson" || t == "application/jsonl" ||
           t == "application/x-jsonlines" || t == "application/json" || t == "text/plain";
}

// Whole seconds, at least 1, at most a day (a tiny configured rate must not overflow).
unsigned retry_seconds(std::chrono::steady_clock::duration wait) {
    double s = std::chrono::duration<double>(wait).count();
    return static_cast<unsigned>(std::clamp(std::ceil(s), 1.0, 86400.0));
}

void append_uint(std::string& out, uint64_t n) {
    out += std::to_string(n);
}

std::string path_of(std::string_view target) {
    return std::string(target.substr(0, target.find('?')));
}

}  // namespace

HttpAnswer error_answer(unsigned status, std::string_view message) {
    HttpAnswer a;
    a.status = status;
    a.body = R"({"error":)";
    append_json_string(a.body, message);
    a.body += "}";
    return a;
}

std::string_view bearer_token(std::string_view authorization) {
    constexpr std::string_view kScheme = "bearer ";
    if (authorization.size() <= kScheme.size()) return {};
    if (!starts_with_ascii_nocase(authorization, kScheme)) return {};
    std::string_view token = authorization.substr(kScheme.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    return token;
}

std::string ingest_answer_json(const IngestResult& r) {
    std::string out = R"({"accepted":)";
    append_uint(out, r.accepted);
    out += R"(,"rejected":[)";
    const size_t listed = std::min(r.rejected.size(), kMaxListedRejections);
    for (size_t i = 0; i < listed; ++i) {
        if (i > 0) out += ',';
        out += R"({"line":)";
        append_uint(out, r.rejected[i].line);
        out += R"(,"error":)";
        append_json_string(out, r.rejected[i].error);
        out += '}';
    }
    out += ']';
    if (listed < r.rejected.size()) {
        out += R"(,"rejected_not_listed":)";
        append_uint(out, r.rejected.size() - listed);
    }
    out += R"(,"alerts":)";
    append_uint(out, r.alerts);
    out += "}";
    return out;
}

IngestHandler::IngestHandler(IngestEngine& engine, AgencyRegistry& agencies,
                             const HttpSettings& settings, Logger& log, Reloader reloader,
                             ExtraRoutes extra)
    : engine_(engine),
      agencies_(agencies),
      settings_(settings),
      log_(log),
      reloader_(std::move(reloader)),
      extra_(std::move(extra)) {}

void IngestHandler::handle(HttpRequest&& request, Reply reply) {
    const auto received = std::chrono::steady_clock::now();  // the body has been read
    ++counters_.requests;
    if (auto refusal = refuse_transfer_coding(request)) return reply(std::move(*refusal));
    const std::string path = path_of(request.target);
    const bool get = request.method == "GET";  // not HEAD: answers here always have a body
    if (path == "/v1/events") {
        if (request.method != "POST") return reply(error_answer(405, "use POST for /v1/events"));
        return post_events(std::move(request), std::move(reply), received);
    }
    if (path == "/v1/admin/reload") {
        if (request.method != "POST")
            return reply(error_answer(405, "use POST for /v1/admin/reload"));
        return post_reload(request, std::move(reply));
    }
    if (path == "/healthz" && get) return reply(HttpAnswer{200, R"({"status":"ok"})"});
    if (path == "/readyz" && get) return reply(readiness());
    if (extra_.owns && extra_.owns(path)) return reply(extra_.handle(request));
    reply(error_answer(404, "no such endpoint: " + request.request_line));
}

HttpAnswer IngestHandler::readiness() const {
    if (draining_ || engine_.draining()) {
        HttpAnswer a = error_answer(503, "draining: vigie is shutting down");
        a.retry_after_seconds = 5;
        return a;
    }
    if (!engine_.ready()) {
        HttpAnswer a = error_answer(503, "the event queue is full");
        a.retry_after_seconds = 1;
        return a;
    }
    // The rules in use, as the start-up log and the metrics count them
    // (pipeline/engine/rule_counts.hpp): compiled rules whose product the mapping does not cover
    // are inactive, said apart. Held, not dereferenced in place: a reload may drop the engine's
    // reference meanwhile.
    const std::shared_ptr<const Ruleset> held = engine_.ruleset();
    const Ruleset& rules = *held;
    std::string body = R"({"status":"ready","rules":)";
    append_uint(body, rules.active_rules());
    append_uint(body.append(R"(,"rules_inactive":)"), rules.rules().size() - rules.active_rules());
    append_uint(body.append(R"(,"queued":)"), engine_.queued());
    body += "}";
    return HttpAnswer{200, std::move(body)};
}

// Inflates a gzip body in place; refuses encodings it cannot read.
bool IngestHandler::decode_body(HttpRequest& request, const HttpSettings& limits,
                                HttpAnswer& refusal, RejectReason& reason) {
    const std::string encoding = ascii_lower(request.content_encoding);
    if (encoding.empty() || encoding == "identity") return true;
    reason = RejectReason::UnreadableBody;
    if (encoding != "gzip" && encoding != "x-gzip") {
        ++counters_.unsupported;
        refusal = error_answer(415, "unsupported Content-Encoding '" + request.content_encoding +
                                        "' (gzip or identity)");
        return false;
    }
    std::string plain;
    const Result<InflateStatus> inflated = gunzip(request.body, limits.max_body_bytes, plain);
    if (!inflated) {
        refusal = error_answer(400, inflated.error().message);
        return false;
    }
    switch (*inflated) {
        case InflateStatus::Ok:
            request.body = std::move(plain);
            return true;
        case InflateStatus::TooLarge:
            ++counters_.too_large;
            reason = RejectReason::TooLarge;
            refusal = error_answer(413, "the body inflates to more than " +
                                            std::to_string(limits.max_body_bytes) +
                                            " bytes (http.max_body_bytes)");
            return false;
    }
    return false;
}

// Counts the non-blank lines (the events, for the rate limit and the metrics) and refuses
// a line over the event size limit before any of the body is accepted.
bool IngestHandler::check_lines(const HttpRequest& request, const HttpSettings& limits,
                                uint64_t& events, HttpAnswer& refusal) {
    const char* p = request.body.data();
    const char* end = p + request.body.size();
    uint64_t line = 0;
    events = 0;
    bool refused = false;
    while (p < end) {
        ++line;
        const char* nl =
            static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
        const char* stop = nl != nullptr ? nl : end;
        const auto length = static_cast<uint64_t>(stop - p);
        if (length > limits.max_event_bytes && !refused) {
            refusal = error_answer(
                413, "line " + std::to_string(line) + " is " + std::to_string(length) +
                         " bytes, over the event limit of " +
                         std::to_string(limits.max_event_bytes) + " (http.max_event_bytes)");
            refused = true;  // counting goes on: the refused events are counted
        }
        for (const char* c = p; c < stop; ++c) {
            if (*c != ' ' && *c != '\t' && *c != '\r') {
                ++events;
                break;
            }
        }
        p = stop + 1;
    }
    return !refused;
}

// Why a sender is refused before its body is read (draining, token, client certificate,
// media type), with the reason the metrics count it under; nullopt when it is not.
std::optional<HttpAnswer> IngestHandler::refuse_sender(const HttpRequest& request,
                                                       const HttpSettings& http,
                                                       const std::optional<std::string>& agency,
                                                       RejectReason& reason) {
    if (draining_ || engine_.draining()) {
        ++counters_.overloaded;
        reason = RejectReason::Overloaded;
        HttpAnswer a = error_answer(503, "draining: vigie is shutting down");
        a.retry_after_seconds = 5;
        return a;
    }
    reason = RejectReason::Unauthorized;
    if (!agency) {
        ++counters_.unauthorized;
        log_.warn("refused: bad or missing token",
                  {{"request", request.request_line}, {"peer", request.peer}});
        HttpAnswer a = error_answer(401, "missing or unknown bearer token");
        a.www_authenticate = true;
        return a;
    }
    if (!http.tls.client_ca.empty() && request.client_identity != *agency) {
        ++counters_.unauthorized;
        return error_answer(403, "the client certificate (CN '" + request.client_identity +
                                     "') is not agency " + *agency + "'s");
    }
    if (!readable_media_type(request.content_type)) {
        ++counters_.unsupported;
        reason = RejectReason::UnreadableBody;
        return error_answer(
            415, "unsupported Content-Type '" + request.content_type + "' (application/x-ndjson)");
    }
    return std::nullopt;
}

// Every refusal is counted for the metrics under the agency of the token (kUnknownAgency
// without a valid one): the events of the body when they were counted, else 1.
void IngestHandler::post_events(HttpRequest&& request, Reply&& reply, TimePoint received) {
    const std::shared_ptr<const LiveSettings> live = settings_of(request);
    const AgencyTable& agencies = *live->agencies;
    std::optional<std::string> agency = agencies.authenticate(bearer_token(request.authorization));
    const std::string_view label = agency ? std::string_view(*agency) : kUnknownAgency;
    auto refuse = [&](RejectReason reason, uint64_t events, HttpAnswer&& answer) {
        engine_.count_refused(label, IngestInput::Http, reason, events, request.body.size());
        reply(std::move(answer));
    };
    RejectReason reason = RejectReason::UnreadableBody;
    if (auto refusal = refuse_sender(request, live->http, agency, reason))
        return refuse(reason, 1, std::move(*refusal));
    HttpAnswer refusal;
    uint64_t events = 0;
    if (!decode_body(request, live->http, refusal, reason))
        return refuse(reason, 1, std::move(refusal));
    if (!check_lines(request, live->http, events, refusal)) {
        ++counters_.too_large;
        return refuse(RejectReason::TooLarge, events, std::move(refusal));
    }
    if (events == 0) return reply(HttpAnswer{200, ingest_answer_json({})});
    if (events > agencies.limit(*agency).value_or(RateLimit{0, 0}).burst) {
        ++counters_.too_large;
        return refuse(
            RejectReason::TooLarge, events,
            error_answer(413, std::to_string(events) + " events in one request is over agency " +
                                  *agency + "'s burst limit; split the request"));
    }
    if (auto wait = agencies_.take(agencies, *agency, static_cast<double>(events),
                                   std::chrono::steady_clock::now())) {
        ++counters_.rate_limited;
        HttpAnswer a = error_answer(429, "agency " + *agency + " is over its rate limit");
        a.retry_after_seconds = retry_seconds(*wait);
        return refuse(RejectReason::RateLimited, events, std::move(a));
    }
    submit(std::move(*agency), events, std::move(request), std::move(reply), received,
           live->ruleset, live->http.max_event_bytes);
}

// Events that are not accepted (503) give their rate-limit tokens back, so that the
// client's retry is not refused as over its rate.
void IngestHandler::submit(std::string&& agency, uint64_t events, HttpRequest&& request,
                           Reply&& reply, TimePoint received,
                           std::shared_ptr<const Ruleset> ruleset, uint64_t max_event_bytes) {
    // The reply is shared with the job: if the engine does not take the job, it is still here.
    auto shared_reply = std::make_shared<Reply>(std::move(reply));
    const std::string agency_id = agency;
    const uint64_t bytes = request.body.size();
    IngestJob job{std::move(agency),
                  "http",
                  std::move(request.body),
                  [this, shared_reply, agency_id, events](IngestResult&& result) {
                      if (!result.output_error.empty()) {
                          agencies_.give_back(agency_id, static_cast<double>(events));
                          return (*shared_reply)(undelivered_answer(agency_id, result));
                      }
                      (*shared_reply)(HttpAnswer{200, ingest_answer_json(result)});
                  },
                  IngestInput::Http,
                  received};
    job.ruleset = std::move(ruleset);  // the request's, whatever a reload does meanwhile
    job.max_event_bytes = max_event_bytes;
    const IngestEngine::Submit s = engine_.submit(std::move(job));
    if (s == IngestEngine::Submit::Queued) return;
    agencies_.give_back(agency_id, static_cast<double>(events));
    ++counters_.overloaded;
    engine_.count_refused(agency_id, IngestInput::Http, RejectReason::Overloaded, events, bytes);
    HttpAnswer a =
        error_answer(503, s == IngestEngine::Submit::Full ? "the event queue is full; retry later"
                                                          : "draining: vigie is shutting down");
    a.retry_after_seconds = s == IngestEngine::Submit::Full ? 1 : 5;
    (*shared_reply)(std::move(a));
}

// A job whose alerts could not be written: 503 (retry later) when the outputs may take
// them later (a full spool), 413 when they never can (one request's alerts alone are more
// than the whole spool holds: retrying would be refused for ever). Both counted.
HttpAnswer IngestHandler::undelivered_answer(const std::string& agency,
                                             const IngestResult& result) {
    if (result.output_refused_for_good) {
        ++counters_.too_large;
        log_.warn("refused: the request's alerts can never be stored; split the request",
                  {{"agency", agency}, {"reason", result.output_error}});
        return error_answer(413, "the request's alerts can never be written: " +
                                     result.output_error + "; split the request");
    }
    ++counters_.overloaded;
    HttpAnswer a = error_answer(503, "alerts could not be written: " + result.output_error);
    a.retry_after_seconds = 5;
    return a;
}

void IngestHandler::post_reload(const HttpRequest& request, Reply&& reply) {
    if (auto refusal = refuse_admin(request, *settings_of(request)->agencies))
        return reply(std::move(*refusal));
    if (!reloader_) return reply(error_answer(501, "reload is not available"));
    reloader_([reply = std::move(reply)](ReloadOutcome&& outcome) {
        reply(HttpAnswer{outcome.ok ? 200U : 422U, std::move(outcome.summary)});
    });
}

}  // namespace vigie
