// SPDX-License-Identifier: EUPL-1.2
#include "core/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "core/text.hpp"

namespace vigie {

namespace {

// What one perform() fills in from libcurl's callbacks.
struct Transfer {
    const HttpClientRequest* request = nullptr;
    HttpClientResponse* response = nullptr;
    bool too_large = false;
};

// Returning less than given makes libcurl abort with CURLE_WRITE_ERROR: past the bound the
// rest of the body is never read into memory.
size_t keep_body(char* data, size_t size, size_t count, void* closure) {
    auto* t = static_cast<Transfer*>(closure);
    const size_t n = size * count;
    std::string& body = t->response->body;
    if (n >
        t->request->max_response_bytes - std::min(body.size(), t->request->max_response_bytes)) {
        t->too_large = true;
        return 0;
    }
    const size_t kept = t->request->kept_response_bytes;
    if (body.size() < kept) body.append(data, std::min(n, kept - body.size()));
    return n;
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' '))
        s.remove_suffix(1);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    return s;
}

// A wanted header's value replaces an earlier one (an interim answer's, a 100 Continue).
size_t keep_header(char* data, size_t size, size_t count, void* closure) {
    auto* t = static_cast<Transfer*>(closure);
    const std::string_view line(data, size * count);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return size * count;
    const std::string_view name = line.substr(0, colon);
    for (const std::string& wanted : t->request->wanted_headers) {
        if (!equals_ascii_nocase(name, wanted)) continue;
        auto& headers = t->response->headers;
        auto known = std::find_if(headers.begin(), headers.end(), [&](const auto& h) {
            return equals_ascii_nocase(h.first, wanted);
        });
        const std::string value(trimmed(line.substr(colon + 1)));
        if (known != headers.end())
            known->second = value;
        else
            headers.emplace_back(wanted, value);
    }
    return size * count;
}

// libcurl's progress callback: non-zero aborts the transfer.
int check_interrupt(void* closure, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<const std::atomic<bool>*>(closure)->load() ? 1 : 0;
}

struct HeaderList {
    curl_slist* list = nullptr;
    HeaderList() = default;
    HeaderList(const HeaderList&) = delete;
    HeaderList& operator=(const HeaderList&) = delete;
    ~HeaderList() { curl_slist_free_all(list); }
    void add(const std::string& header) { list = curl_slist_append(list, header.c_str()); }
};

void set_method(CURL* curl, const HttpClientRequest& r) {
    if (r.method == "GET") return;
    if (r.method == "POST")
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
    else
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, r.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
}

void set_security(CURL* curl, const HttpClientRequest& r, HeaderList& headers) {
    if (!r.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, r.ca_file.c_str());
    if (!r.cert_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERT, r.cert_file.c_str());
    if (!r.key_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, r.key_file.c_str());
    if (!r.basic_user.empty()) {
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(curl, CURLOPT_USERNAME, r.basic_user.c_str());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, r.basic_password.c_str());
    } else if (!r.bearer_token.empty()) {
        headers.add("Authorization: Bearer " + r.bearer_token);
    }
}

void set_transfer(CURL* curl, const HttpClientRequest& r, Transfer& transfer) {
    curl_easy_setopt(curl, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // one thread of many: no SIGALRM
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "vigie");
    if (r.connect_timeout_ms > 0)
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, r.connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, r.timeout_ms);
    if (r.decode_content) curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, keep_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
    if (r.interrupt != nullptr) {
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, check_interrupt);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA,
                         const_cast<std::atomic<bool>*>(r.interrupt));  // read only
    }
}

}  // namespace

std::string_view HttpClientResponse::header(std::string_view name) const {
    for (const auto& [known, value] : headers)
        if (equals_ascii_nocase(known, name)) return value;
    return {};
}

HttpClient::HttpClient() {
    static std::once_flag curl_ready;
    std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    curl_ = curl_easy_init();
}

HttpClient::~HttpClient() {
    curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Result<HttpClientResponse> HttpClient::perform(const HttpClientRequest& request) {
    failure_ = HttpFailure::none;
    failure_summary_.clear();
    if (curl_ == nullptr) {
        failure_ = HttpFailure::cannot_start;
        failure_summary_ = "curl_easy_init failed";
        return Error{failure_summary_};
    }
    CURL* curl = static_cast<CURL*>(curl_);
    curl_easy_reset(curl);  // keeps the live connections and the DNS cache
    HttpClientResponse response;
    Transfer transfer{&request, &response};
    HeaderList headers;
    for (const std::string& header : request.headers) headers.add(header);
    set_method(curl, request);
    set_security(curl, request, headers);
    set_transfer(curl, request, transfer);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
    char detail[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
    const CURLcode code = curl_easy_perform(curl);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);  // `detail` goes out of scope
    if (code == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
        curl_off_t retry_after = 0;
        curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retry_after);
        response.retry_after_seconds = static_cast<int64_t>(retry_after);
        return response;
    }
    failure_summary_ = curl_easy_strerror(code);
    if (transfer.too_large) {
        failure_ = HttpFailure::too_large;
        return Error{"the response is over " + std::to_string(request.max_response_bytes) +
                     " bytes; reading aborted"};
    }
    if (code == CURLE_ABORTED_BY_CALLBACK) {
        failure_ = HttpFailure::interrupted;
        return Error{"interrupted"};
    }
    failure_ = HttpFailure::transport;
    return Error{*detail != '\0' ? std::string(detail) : failure_summary_};
}

}  // namespace vigie
