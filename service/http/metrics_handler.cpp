// SPDX-License-Identifier: EUPL-1.2
#include "service/http/metrics_handler.hpp"

namespace vigie {

namespace {

constexpr std::string_view kTextFormat = "text/plain; version=0.0.4; charset=utf-8";

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

}  // namespace

Admission MetricsHandler::admit(const HttpRequest& head, bool has_body) {
    Admission admission;
    if (path_of(head.target) != "/metrics") {
        admission.refusal = error_answer(404, "no such endpoint: " + head.request_line);
    } else if (head.method != "GET") {
        admission.refusal = error_answer(405, "use GET for /metrics");
    } else if (has_body || !head.transfer_encoding.empty()) {
        admission.refusal = error_answer(413, "GET /metrics takes no body");
    }
    // Folding every worker's counts is work: off the I/O threads.
    admission.lane = RequestLane::Other;
    return admission;
}

void MetricsHandler::handle(HttpRequest&& request, Reply reply) {
    if (Admission a = admit(request, !request.body.empty()); a.refusal)
        return reply(std::move(*a.refusal));
    HttpAnswer answer{200, exposition_()};
    answer.content_type = std::string(kTextFormat);
    reply(std::move(answer));
}

}  // namespace vigie
