#include "federation/taxii/taxii_http.hpp"

#include <curl/curl.h>

#include <mutex>
#include <string_view>

namespace vigie::taxii {

namespace {

constexpr const char* kMediaType = "application/taxii+json;version=2.1";

struct Transfer {
    uint64_t cap = 0;
    HttpExchangeResult* result = nullptr;
    const std::atomic<bool>* stop = nullptr;
};

// Returning less than given makes curl abort with CURLE_WRITE_ERROR: past the cap the
// rest of the body is never read into memory.
size_t keep_body(char* data, size_t size, size_t count, void* closure) {
    auto* t = static_cast<Transfer*>(closure);
    const size_t n = size * count;
    if (t->result->body.size() + n > t->cap) {
        t->result->too_large = true;
        return 0;
    }
    t->result->body.append(data, n);
    return n;
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' '))
        s.remove_suffix(1);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    return s;
}

bool header_named(std::string_view line, std::string_view name) {
    if (line.size() <= name.size() || line[name.size()] != ':') return false;
    for (size_t i = 0; i < name.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(line[i])) !=
            std::tolower(static_cast<unsigned char>(name[i])))
            return false;
    return true;
}

size_t keep_header(char* data, size_t size, size_t count, void* closure) {
    auto* t = static_cast<Transfer*>(closure);
    const std::string_view line(data, size * count);
    if (header_named(line, "X-TAXII-Date-Added-Last"))
        t->result->date_added_last = trimmed(line.substr(24));
    if (header_named(line, "Content-Type")) t->result->content_type = trimmed(line.substr(13));
    return size * count;
}

int check_stop(void* closure, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const auto* t = static_cast<Transfer*>(closure);
    return t->stop != nullptr && t->stop->load() ? 1 : 0;
}

struct HeaderList {
    curl_slist* list = nullptr;
    ~HeaderList() { curl_slist_free_all(list); }
    void add(const std::string& header) { list = curl_slist_append(list, header.c_str()); }
};

void set_tls(CURL* curl, const FederationPeer& peer) {
    if (!peer.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, peer.ca_file.c_str());
    if (!peer.cert_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERT, peer.cert_file.c_str());
    if (!peer.key_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, peer.key_file.c_str());
}

void set_auth(CURL* curl, const PeerCredentials& c, HeaderList& headers) {
    if (!c.user.empty()) {
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(curl, CURLOPT_USERNAME, c.user.c_str());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, c.password.c_str());
    } else if (!c.token.empty()) {
        headers.add("Authorization: Bearer " + c.token);
    }
}

}  // namespace

HttpExchangeResult taxii_exchange(const PeerEndpoint& endpoint, const std::string& url,
                                  const std::string* post, const std::atomic<bool>* stop) {
    static std::once_flag curl_ready;
    std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    HttpExchangeResult result;
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return (result.error = "curl_easy_init failed"), result;
    Transfer transfer{endpoint.max_body_bytes, &result, stop};
    HeaderList headers;
    headers.add(std::string("Accept: ") + kMediaType);
    if (post != nullptr) {
        headers.add(std::string("Content-Type: ") + kMediaType);
        headers.add("Expect:");
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post->data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post->size()));
    }
    set_auth(curl, endpoint.credentials, headers);
    set_tls(curl, *endpoint.peer);
    char curl_error[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "vigie");
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, endpoint.connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, endpoint.total_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // the cap applies after decoding
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, keep_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, check_stop);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
    const CURLcode code = curl_easy_perform(curl);
    if (code == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
        curl_off_t retry_after = 0;
        curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retry_after);
        result.retry_after_seconds = static_cast<int64_t>(retry_after);
    } else if (result.too_large) {
        result.error = "the page is over max_page_bytes (" +
                       std::to_string(endpoint.max_body_bytes) + " bytes); reading aborted";
        result.body.clear();
    } else {
        result.interrupted = stop != nullptr && stop->load();
        result.error = *curl_error != 0 ? curl_error : curl_easy_strerror(code);
    }
    curl_easy_cleanup(curl);
    return result;
}

}  // namespace vigie::taxii
