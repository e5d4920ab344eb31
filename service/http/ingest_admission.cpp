// SPDX-License-Identifier: EUPL-1.2
// The header stage of the ingest routes (IngestHandler::admit): what is refused before a
// byte of a request's body is read, and the request line as logs may show it.
#include <algorithm>
#include <cctype>

#include "core/text.hpp"
#include "service/http/ingest_handler.hpp"

namespace vigie {

namespace {

std::string path_of(std::string_view target) {
    return std::string(target.substr(0, target.find('?')));
}

// A query parameter's name that may carry a credential.
bool credential_name(std::string_view name) {
    const std::string n = ascii_lower(name);
    for (const char* word :
         {"token", "key", "pass", "secret", "auth", "sig", "session", "cred", "jwt", "bearer"})
        if (n.find(word) != std::string::npos) return true;
    return false;
}

}  // namespace

std::shared_ptr<const LiveSettings> IngestHandler::settings_of(const HttpRequest& request) const {
    if (request.settings && request.settings->agencies) return request.settings;
    if (live_ != nullptr) return live_->current();
    // Without a store (tests, fuzzing): the constructor's limits, the registry's agencies.
    return std::make_shared<const LiveSettings>(
        LiveSettings{settings_, agencies_.table(), nullptr});
}

std::string redact_target(std::string_view target) {
    const size_t q = target.find('?');
    if (q == std::string_view::npos) return std::string(target);
    std::string out(target.substr(0, q + 1));
    std::string_view query = target.substr(q + 1);
    while (true) {
        const size_t amp = query.find('&');
        const std::string_view param = query.substr(0, amp);
        const size_t eq = param.find('=');
        if (eq != std::string_view::npos && credential_name(param.substr(0, eq))) {
            out.append(param.substr(0, eq + 1)).append("REDACTED");
        } else {
            out.append(param);
        }
        if (amp == std::string_view::npos) break;
        out += '&';
        query.remove_prefix(amp + 1);
    }
    return out;
}

// A transfer coding other than chunked (gzip, deflate, "gzip, chunked"): 501, rather than
// a gzip body read as if it were plain. Compression is Content-Encoding's business.
std::optional<HttpAnswer> IngestHandler::refuse_transfer_coding(const HttpRequest& request) {
    std::string coding = ascii_lower(request.transfer_encoding);
    std::erase_if(coding, [](char c) { return c == ' ' || c == '\t'; });
    if (coding.empty() || coding == "chunked") return std::nullopt;
    ++counters_.unsupported;
    return error_answer(501, "Transfer-Encoding '" + request.transfer_encoding +
                                 "' is not supported (chunked only; send gzip as "
                                 "Content-Encoding: gzip)");
}

Admission IngestHandler::admit(const HttpRequest& head, bool has_body) {
    const std::string path = path_of(head.target);
    Admission admission;
    auto refuse = [&](HttpAnswer&& answer) {
        ++counters_.requests;
        admission.refusal = std::move(answer);
        return admission;
    };
    if (auto refusal = refuse_transfer_coding(head)) return refuse(std::move(*refusal));
    const std::shared_ptr<const LiveSettings> live = settings_of(head);
    if (path == "/v1/events") {
        if (head.method != "POST") return refuse(error_answer(405, "use POST for /v1/events"));
        const std::optional<std::string> agency =
            live->agencies->authenticate(bearer_token(head.authorization));
        RejectReason reason = RejectReason::UnreadableBody;
        if (auto refusal = refuse_sender(head, live->http, agency, reason)) {
            engine_.count_refused(agency ? std::string_view(*agency) : kUnknownAgency,
                                  IngestInput::Http, reason, 1, 0);
            return refuse(std::move(*refusal));
        }
        admission.authenticated = true;
        admission.lane = RequestLane::Ingest;
        return admission;
    }
    if (path == "/v1/admin/reload") {
        if (head.method != "POST")
            return refuse(error_answer(405, "use POST for /v1/admin/reload"));
        if (auto refusal = refuse_admin(head, *live->agencies)) return refuse(std::move(*refusal));
        admission.authenticated = true;
        admission.lane = RequestLane::Other;
        return admission;
    }
    if (extra_.owns && extra_.owns(path)) {
        if (extra_.authenticate) {
            if (auto refusal = extra_.authenticate(head)) {
                ++counters_.unauthorized;
                log_.warn("refused: bad or missing credentials",
                          {{"request", head.request_line}, {"peer", head.peer}});
                return refuse(std::move(*refusal));
            }
            admission.authenticated = true;
        }
        admission.lane = RequestLane::Other;
        return admission;
    }
    // Health, readiness and unknown paths take no credential, so no body either: an
    // anonymous peer never makes vigie read one.
    if (has_body) {
        ++counters_.too_large;
        return refuse(error_answer(413, head.request_line + " takes no body"));
    }
    return admission;
}

std::optional<HttpAnswer> IngestHandler::refuse_admin(const HttpRequest& request,
                                                      const AgencyTable& agencies) {
    if (agencies.is_admin(bearer_token(request.authorization))) return std::nullopt;
    ++counters_.unauthorized;
    log_.warn("refused: bad or missing admin token",
              {{"request", request.request_line}, {"peer", request.peer}});
    HttpAnswer a = error_answer(401, "missing or wrong admin token");
    a.www_authenticate = true;
    return a;
}

}  // namespace vigie
