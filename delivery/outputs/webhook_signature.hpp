// SPDX-License-Identifier: EUPL-1.2
#pragma once
// How a webhook receiver authenticates vigie's POSTs: the headers
//   X-Vigie-Timestamp: <unix seconds>
//   X-Vigie-Signature: sha256=<lowercase hex of HMAC-SHA256(secret, timestamp + "." + body)>
// where the secret is the value of the environment variable named by the output's
// `secret_env`. The receiver recomputes the HMAC over the raw body it got, compares in
// constant time, and refuses timestamps too far from its clock (replays).
#include <span>
#include <string>
#include <string_view>

#include "delivery/outputs/alert_forwarder.hpp"

namespace vigie {

std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// "sha256=<hex>" for the timestamp and body.
std::string webhook_signature(std::string_view secret, std::string_view timestamp,
                              std::string_view body);

// The POST body: a JSON array of the alert lines (each already a JSON value), "[a,b,c]".
std::string webhook_body(std::span<const ForwardedAlert> alerts);

}  // namespace vigie
