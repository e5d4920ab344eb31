// SPDX-License-Identifier: EUPL-1.2
#include "core/nats_servers.hpp"

namespace vigie {

std::string redacted_nats_url(std::string url) {
    const size_t scheme = url.find("://");
    const size_t from = scheme == std::string::npos ? 0 : scheme + 3;
    const size_t at = url.find('@', from);
    // An '@' after the first '/' belongs to a path, not to credentials.
    if (at == std::string::npos || url.find('/', from) < at) return url;
    const size_t colon = url.find(':', from);
    if (colon < at)
        url.replace(colon + 1, at - colon - 1, "***");
    else
        url.replace(from, at - from, "***");
    return url;
}

std::string redacted_nats_servers(const std::vector<std::string>& servers) {
    std::string out;
    for (const std::string& url : servers) out += (out.empty() ? "" : ",") + redacted_nats_url(url);
    return out;
}

}  // namespace vigie
