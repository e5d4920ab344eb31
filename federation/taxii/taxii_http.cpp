// SPDX-License-Identifier: EUPL-1.2
#include "federation/taxii/taxii_http.hpp"

#include "core/http_client.hpp"

namespace vigie::taxii {

namespace {

constexpr const char* kMediaType = "application/taxii+json;version=2.1";

HttpClientRequest taxii_request(const PeerEndpoint& endpoint, const std::string& url,
                                const std::string* post, const std::atomic<bool>* stop) {
    HttpClientRequest request;
    request.url = url;
    request.headers.push_back(std::string("Accept: ") + kMediaType);
    if (post != nullptr) {
        request.method = "POST";
        request.headers.push_back(std::string("Content-Type: ") + kMediaType);
        request.headers.emplace_back("Expect:");
        request.body = *post;
    }
    const PeerCredentials& credentials = endpoint.credentials;
    request.basic_user = credentials.user;
    request.basic_password = credentials.password;
    request.bearer_token = credentials.token;
    request.ca_file = endpoint.peer->ca_file;
    request.cert_file = endpoint.peer->cert_file;
    request.key_file = endpoint.peer->key_file;
    request.connect_timeout_ms = endpoint.connect_timeout_ms;
    request.timeout_ms = endpoint.total_timeout_ms;
    request.max_response_bytes = endpoint.max_body_bytes;
    request.decode_content = true;  // the cap applies after decoding
    request.wanted_headers = {"X-TAXII-Date-Added-Last", "Content-Type"};
    request.interrupt = stop;
    return request;
}

}  // namespace

HttpExchangeResult taxii_exchange(const PeerEndpoint& endpoint, const std::string& url,
                                  const std::string* post, const std::atomic<bool>* stop) {
    HttpExchangeResult result;
    HttpClient client;
    Result<HttpClientResponse> answer = client.perform(taxii_request(endpoint, url, post, stop));
    if (answer) {
        result.status = answer->status;
        result.body = std::move(answer->body);
        result.content_type = answer->header("Content-Type");
        result.date_added_last = answer->header("X-TAXII-Date-Added-Last");
        result.retry_after_seconds = answer->retry_after_seconds;
    } else if (client.last_failure() == HttpFailure::too_large) {
        result.too_large = true;
        result.error = "the page is over max_page_bytes (" +
                       std::to_string(endpoint.max_body_bytes) + " bytes); reading aborted";
    } else {
        result.interrupted = stop != nullptr && stop->load();
        result.error = answer.error().message;
    }
    return result;
}

}  // namespace vigie::taxii
