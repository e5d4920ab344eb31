// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The stable id of an alert: the same rule on the same event from the same agency always
// gets the same id, on every redelivery and on every worker, so that the hub drops
// duplicates (it is the NATS Nats-Msg-Id) and analysts can refer to it.
#include <string>
#include <string_view>

namespace vigie {

// 32 lower-case hex digits: the first 128 bits of
// SHA-256(rule id NUL agency NUL the event's minified JSON).
void compute_alert_id(std::string_view rule_id, std::string_view agency,
                      std::string_view minified_event, std::string& out);

}  // namespace vigie
