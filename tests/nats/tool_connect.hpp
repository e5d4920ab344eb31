// SPDX-License-Identifier: EUPL-1.2
#pragma once
// How vigie-nats-tool reaches NATS: one server or a cluster's list, as the tests give it.
#include <nats/nats.h>

#include <string>

namespace vigie::test {

struct ToolServer {
    std::string url = "nats://127.0.0.1:4222";  // one URL or a comma list (a cluster)
    std::string user, password, inbox_prefix;
};

// Options for every server of `server.url`, tried in the given order, reconnecting for
// ever (the tool is stopped by its own deadlines, not by a node's restart). Prints the
// reason and returns false on an error.
bool tool_options(const ToolServer& server, natsOptions*& options);

}  // namespace vigie::test
