#include "delivery/outputs/webhook_forwarder.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "delivery/outputs/webhook_signature.hpp"

namespace vigie {

namespace {

constexpr size_t kResponseKept = 300;  // of an error response, for the log line

size_t keep_start(char* data, size_t size, size_t count, void* closure) {
    auto* out = static_cast<std::string*>(closure);
    const size_t n = size * count;
    if (out->size() < kResponseKept) out->append(data, std::min(n, kResponseKept - out->size()));
    return n;
}

// Aborts a transfer in progress at shutdown.
int check_interrupted(void* closure, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<std::atomic<bool>*>(closure)->load() ? 1 : 0;
}

struct HeaderList {
    curl_slist* list = nullptr;
    ~HeaderList() { curl_slist_free_all(list); }
    void add(const std::string& header) { list = curl_slist_append(list, header.c_str()); }
};

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
    static std::once_flag curl_ready;
    std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    curl_ = curl_easy_init();
    if (!curl_) throw std::runtime_error("output " + name_ + ": curl_easy_init failed");
}

WebhookForwarder::~WebhookForwarder() {
    curl_easy_cleanup(static_cast<CURL*>(curl_));
}

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
    CURL* curl = static_cast<CURL*>(curl_);
    const std::string body = webhook_body(alerts);
    const std::string timestamp =
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
    HeaderList headers;
    headers.add("Content-Type: application/json");
    headers.add("Expect:");  // no 100-continue round trip for large batches
    headers.add("X-Vigie-Timestamp: " + timestamp);
    if (!settings_.secret_env.empty())
        headers.add("X-Vigie-Signature: " + webhook_signature(secret_, timestamp, body));
    std::string response;
    char curl_error[CURL_ERROR_SIZE] = "";
    curl_easy_reset(curl);  // keeps the live connections and the DNS cache
    curl_easy_setopt(curl, CURLOPT_URL, settings_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "vigie");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout_ms));
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_start);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, check_interrupted);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &interrupted_);
    if (!settings_.ca_file.empty())
        curl_easy_setopt(curl, CURLOPT_CAINFO, settings_.ca_file.c_str());
    const CURLcode code = curl_easy_perform(curl);
    if (code != CURLE_OK) {
        connected_.store(false);
        if (interrupted_.load()) return DeliveryResult::failed(name_ + ": interrupted");
        return DeliveryResult::failed(name_ + ": POST " + settings_.url + ": " +
                                      (*curl_error ? curl_error : curl_easy_strerror(code)));
    }
    connected_.store(true);
    long status = 0;
    curl_off_t retry_after = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retry_after);
    return classify(status, response, static_cast<long>(retry_after));
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
