// SPDX-License-Identifier: EUPL-1.2
#pragma once
// How the spool stores an alert record (pipeline/alerts/alert_record.hpp): its routing line
// (what the forwarding outputs filter and route on, whatever the alert format) followed by
// the formatted alert, one line each:
//   <uid> TAB <agency> TAB <level> TAB <rule id> TAB <tags, comma-separated> LF
//   <the alert as formatted (jsonl, ocsf)>
// This is the on-disk format of every spool written so far: a spool left by an older
// version is recovered and forwarded as it is. Only stored data is read back with it; the
// alerts of a running serve travel as records and are never parsed.
#include <string>
#include <string_view>

#include "pipeline/alerts/alert_record.hpp"

namespace vigie {

// Appends "routing\nalert\n". Tabs, newlines and commas in the routing values (which come
// from rule files) are replaced by spaces so that the line stays parseable.
void append_envelope(const AlertRouting& routing, std::string_view alert_line, std::string& out);

// Parses one stored record ("routing\nalert", no final newline); the TLP is read from the
// tags. False when malformed.
bool parse_envelope(std::string_view record, AlertRouting& routing, std::string_view& alert);

}  // namespace vigie
