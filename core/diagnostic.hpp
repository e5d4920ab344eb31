// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A problem found in users' input (a rule, a mapping, an event), carried as a value with
// the place it was found, so that callers can report, count and go on.
#include <cstdint>
#include <string>
#include <vector>

namespace vigie {

struct SourceLocation {
    std::string file;
    uint32_t line = 0;    // 1-based; 0 when unknown
    uint32_t column = 0;  // 1-based; 0 when unknown
};

enum class Severity : uint8_t { Warning, Error };

struct Diagnostic {
    Severity severity = Severity::Error;
    SourceLocation where;
    std::string rule_id;  // empty when the problem is not inside one rule
    std::string message;

    // "file:line:col: rule <id>: message" (parts that are unknown are left out).
    [[nodiscard]] std::string format() const;
};

using Diagnostics = std::vector<Diagnostic>;

}  // namespace vigie
