// SPDX-License-Identifier: EUPL-1.2
#include "delivery/outputs/webhook_forwarder.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <stdexcept>

#include "core/clock.hpp"
#include "delivery/outputs/webhook_signature.hpp"

namespace vigie {

namespace {

constexpr size_t kResponseKept = 300;  // of an error response, for the log line

}  // namespace

WebhookForwarder::WebhookForwarder(std::string name, const WebhookOutputSettings& settings)
    : name_(std::move(name)), settings_(settings), batch_(settings.batch > 0 ? settings.batch : 1) {
    // The start-up checks' words (app/config/startup_checks.hpp): serve refuses these before
    // any output is made; here they guard any other caller.
    if (auto problem = webhook_url_problem(settings_.url); !problem.empty())
        throw std::runtime_error("output " + name_ + ": url: " + problem);
    if (auto problem = webhook_secret_problem(settings_.secret_env); !problem.empty())
        throw std::runtime_error("output " + name_ + ": secret_env: " + problem);
    if (!settings_.secret_env.empty()) secret_ = std::getenv(settings_.secret_env.c_str());
    if (!client_.ready()) throw std::runtime_error("output " + name_ + ": curl_easy_init failed");
}

WebhookForwarder::~WebhookForwarder() = default;

// What the receiver says of these alerts themselves (too large, not acceptable): sending
// them again cannot help. 401, 403, 404... say the configuration is wrong instead, for
// every alert: those are retried (the spool holds the alerts) until an operator fixes it.
bool WebhookForwarder::refused_status(long status) {
    return status == 400 || status == 413 || status == 422;
}

bool WebhookForwarder::transient_status(long status) {
    return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

DeliveryResult WebhookForwarder::classify(long status, std::string_view response,
                                          long retry_after_s) const {
    if (status >= 200 && status <= 299) return DeliveryResult::ok();
    std::string error = name_ + ": POST " + settings_.url + ": HTTP " + std::to_string(status);
    if (!response.empty()) {
        error += ": ";
        for (char c : response) error += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    }
    if (refused_status(status)) return DeliveryResult::refused_for_good(std::move(error));
    const bool transient = transient_status(status);
    if (!transient) error += " (likely permanent: check the URL, the secret, the receiver)";
    DeliveryResult result = DeliveryResult::failed(std::move(error), transient);
    if ((status == 429 || status == 503) && retry_after_s > 0)
        result.retry_after = std::chrono::seconds(retry_after_s);
    return result;
}

DeliveryResult WebhookForwarder::deliver(std::span<const ForwardedAlert> alerts) {
    if (interrupted_.load()) return DeliveryResult::failed(name_ + ": interrupted");
    const std::string body = webhook_body(alerts);
    const std::string timestamp = std::to_string(unix_now_s());
    HttpClientRequest request;
    request.method = "POST";
    request.url = settings_.url;
    request.headers = {"Content-Type: application/json",
                       "Expect:",  // no 100-continue round trip for large batches
                       "X-Vigie-Timestamp: " + timestamp};
    if (!settings_.secret_env.empty())
        request.headers.push_back("X-Vigie-Signature: " +
                                  webhook_signature(secret_, timestamp, body));
    request.body = body;
    request.timeout_ms = static_cast<long>(settings_.timeout_ms);
    request.ca_file = settings_.ca_file;
    request.kept_response_bytes = kResponseKept;
    request.interrupt = &interrupted_;
    const Result<HttpClientResponse> answer = client_.perform(request);
    if (!answer) {
        connected_.store(false);
        if (interrupted_.load()) return DeliveryResult::failed(name_ + ": interrupted");
        return DeliveryResult::failed(name_ + ": POST " + settings_.url + ": " +
                                      answer.error().message);
    }
    connected_.store(true);
    return classify(answer->status, answer->body, static_cast<long>(answer->retry_after_seconds));
}

std::string webhook_url_problem(const std::string& url) {
    if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) return "";
    return "a webhook url must be http:// or https://, not " + url;
}

std::string webhook_secret_problem(const std::string& secret_env) {
    if (secret_env.empty()) return "";
    const char* secret = std::getenv(secret_env.c_str());
    if (secret != nullptr && *secret != '\0') return "";
    return "the environment variable " + secret_env +
           " is not set or empty (it holds the HMAC key)";
}

}  // namespace vigie
