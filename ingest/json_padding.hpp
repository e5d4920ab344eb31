// SPDX-License-Identifier: EUPL-1.2
#pragma once
// simdjson reads up to this many bytes past a document's end; every buffer a document
// lives in keeps that much room after its data.
#include <cstddef>

namespace vigie {
inline constexpr size_t kJsonPadding = 64;  // == SIMDJSON_PADDING, without the header
}
