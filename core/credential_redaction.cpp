// SPDX-License-Identifier: EUPL-1.2
#include "core/credential_redaction.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/text.hpp"

namespace vigie {

namespace {

// Ends a URL inside a log record: JSON and logfmt quote values, and text separates words.
bool ends_url(char c) {
    return c == '"' || c == '\'' || c == '\\' || c == ' ' || c == '\t' || c == '\n' || c == '<' ||
           c == '>' || c == ',';
}

bool scheme_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '.';
}

// A query parameter name that carries a secret, compared in lower case.
bool secret_name(std::string_view name) {
    // The words service/http/ingest_admission.cpp's request-line redaction looks for, and pwd.
    static constexpr std::array<std::string_view, 11> kWords{
        "token", "key", "pass", "secret", "auth", "sig", "session", "cred", "jwt", "bearer", "pwd"};
    const std::string lower = ascii_lower(name);
    return std::any_of(kWords.begin(), kWords.end(),
                       [&](std::string_view w) { return lower.find(w) != std::string::npos; });
}

// One URL, from its scheme to its end: the user information and secret parameters masked.
void append_redacted_url(std::string& out, std::string_view url) {
    const size_t authority = url.find("://") + 3;
    const size_t authority_end = std::min(url.find_first_of("/?#", authority), url.size());
    const size_t at = url.rfind('@', authority_end - 1);
    size_t from = 0;
    if (at != std::string_view::npos && at >= authority && at < authority_end) {
        const size_t colon = url.find(':', authority);
        out.append(url.substr(0, colon < at ? colon + 1 : authority));
        out += "***";
        from = at;
    }
    const size_t query = url.find('?', authority_end);
    if (query == std::string_view::npos) {
        out.append(url.substr(from));
        return;
    }
    out.append(url.substr(from, query + 1 - from));
    std::string_view params = url.substr(query + 1);
    while (!params.empty()) {
        const size_t amp = std::min(params.find('&'), params.size());
        const std::string_view param = params.substr(0, amp);
        const size_t eq = param.find('=');
        if (eq != std::string_view::npos && secret_name(param.substr(0, eq))) {
            out.append(param.substr(0, eq + 1));
            out += "***";
        } else {
            out.append(param);
        }
        if (amp < params.size()) out += '&';
        params.remove_prefix(std::min(amp + 1, params.size()));
    }
}

}  // namespace

std::string redact_url_credentials(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    size_t done = 0;
    for (size_t mark = text.find("://"); mark != std::string_view::npos;
         mark = text.find("://", mark + 3)) {
        if (mark < done) continue;
        size_t start = mark;
        while (start > done && scheme_char(text[start - 1])) --start;
        size_t end = mark + 3;
        while (end < text.size() && !ends_url(text[end])) ++end;
        out.append(text.substr(done, start - done));
        append_redacted_url(out, text.substr(start, end - start));
        done = end;
    }
    out.append(text.substr(done));
    return out;
}

}  // namespace vigie
