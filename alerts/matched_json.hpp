#pragma once
// The "matched" part of an alert, shared by the jsonl and OCSF formats:
// [{"selection":"sel","fields":[{"name":"Image","value":"..."}]}]
#include <span>
#include <string>

#include "detector/match_explanation.hpp"

namespace vigie {

void append_matched(std::string& b, std::span<const MatchedField> matched);

}  // namespace vigie
