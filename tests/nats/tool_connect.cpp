// SPDX-License-Identifier: EUPL-1.2
#include "tests/nats/tool_connect.hpp"

#include <cstdio>
#include <vector>

namespace vigie::test {

bool tool_options(const ToolServer& server, natsOptions*& options) {
    std::vector<std::string> urls;
    size_t from = 0;
    for (size_t comma; (comma = server.url.find(',', from)) != std::string::npos; from = comma + 1)
        if (comma > from) urls.push_back(server.url.substr(from, comma - from));
    if (from < server.url.size()) urls.push_back(server.url.substr(from));
    std::vector<const char*> list;
    list.reserve(urls.size());
    for (const auto& url : urls) list.push_back(url.c_str());
    natsStatus s = natsOptions_Create(&options);
    if (s == NATS_OK)
        s = natsOptions_SetServers(options, list.data(), static_cast<int>(list.size()));
    if (s == NATS_OK) s = natsOptions_SetNoRandomize(options, true);
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(options, -1);
    if (s == NATS_OK) s = natsOptions_SetReconnectWait(options, 250);
    if (s == NATS_OK && !server.user.empty())
        s = natsOptions_SetUserInfo(options, server.user.c_str(), server.password.c_str());
    if (s == NATS_OK && !server.inbox_prefix.empty())
        s = natsOptions_SetCustomInboxPrefix(options, server.inbox_prefix.c_str());
    if (s != NATS_OK)
        std::fprintf(stderr, "vigie-nats-tool: servers %s: %s\n", server.url.c_str(),
                     natsStatus_GetText(s));
    return s == NATS_OK;
}

}  // namespace vigie::test
