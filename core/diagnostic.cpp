// SPDX-License-Identifier: EUPL-1.2
#include "core/diagnostic.hpp"

namespace vigie {

std::string Diagnostic::format() const {
    std::string out;
    if (!where.file.empty()) {
        out = where.file;
        if (where.line > 0) {
            out += ':' + std::to_string(where.line);
            if (where.column > 0) out += ':' + std::to_string(where.column);
        }
        out += ": ";
    }
    if (severity == Severity::Warning) out += "warning: ";
    if (!rule_id.empty()) out += "rule " + rule_id + ": ";
    out += message;
    return out;
}

}  // namespace vigie
