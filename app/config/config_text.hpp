#pragma once
// The checks of names and ids the configuration reader shares between its sections.
#include <string>
#include <string_view>

namespace vigie::config {

// A name of letters, digits, '-' or '_', at most 64: agency and peer ids, output names,
// API root paths (they become file names, URL paths, subject tokens and metric labels).
bool name_token(std::string_view s);
// 8-4-4-4-12 hex digits, as STIX and TAXII ids are.
bool uuid_text(std::string_view s);
// ASCII lower case (ids and digests compare lower-cased).
std::string lower(std::string s);

}  // namespace vigie::config
