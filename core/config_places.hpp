// SPDX-License-Identifier: EUPL-1.2
#pragma once
#include <map>
#include <string>

#include "core/diagnostic.hpp"

namespace vigie {

// Where each setting was written: its key path ("http.listen", "alerts.outputs[0].url")
// -> file:line:col, so that what is checked after reading (the start-up checks) is still
// reported at its place.
struct ConfigPlaces {
    std::string origin;  // the file
    std::map<std::string, SourceLocation> keys;
    // The key's place; the file's when the key was not written (its default is in use).
    [[nodiscard]] SourceLocation of(const std::string& key) const {
        auto it = keys.find(key);
        return it != keys.end() ? it->second : SourceLocation{origin, 0, 0};
    }
};

}  // namespace vigie
