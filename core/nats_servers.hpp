// SPDX-License-Identifier: EUPL-1.2
#pragma once
// How a NATS server list (nats.url, a nats output's url) is shown in logs, errors and dead
// letters: a password or token in a URL (nats://user:password@host, nats://token@host)
// never leaves the configuration.
#include <string>
#include <vector>

namespace vigie {

// nats://user:***@host:4222, nats://***@host:4222; a URL without credentials unchanged.
std::string redacted_nats_url(std::string url);

// The redacted URLs, comma-separated.
std::string redacted_nats_servers(const std::vector<std::string>& servers);

}  // namespace vigie
