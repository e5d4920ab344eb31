// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The fast path of document splitting: an NDJSON line is, almost always, exactly one
// compact JSON object. This checks that with 64-byte bit masks (simdjson's stage-1
// technique: escaped quotes, in-string regions by prefix XOR, brackets outside
// strings) instead of a byte-by-byte state machine. Anything else (a truncated line, two
// objects on one line, an unclosed string) is left to DocumentSplitter's exact path.
#include <cstddef>

namespace vigie {

// When the line at data[start] (up to the first newline in data[start, size)) is one
// JSON object (data[start] == '{') with balanced strings and brackets, followed by
// nothing but spaces, tabs or '\r': one past its closing brace. Otherwise, or when there
// is no newline, 0. Reads only data[start, size).
size_t compact_document_end(const char* data, size_t start, size_t size);

}  // namespace vigie
