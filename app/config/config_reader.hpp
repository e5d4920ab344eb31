// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Reads a `vigie serve` configuration file (YAML) into a ServeConfig. Strict: an unknown
// key, a value of the wrong type or out of range, a duplicate agency or token is an
// error with its file:line:col, so that a typo never silently falls back to a default.
// The keys, their types, bounds and checks are the tables of app/config/sections.hpp,
// applied by the one SchemaReader (schema.hpp); `vigie config check`, start-up and reload
// all read the file here.
#include <optional>
#include <string>
#include <utility>

#include "app/config/serve_config.hpp"
#include "core/diagnostic.hpp"

namespace vigie {

class ConfigReader {
  public:
    ConfigReader(std::string origin, Diagnostics& diags)
        : origin_(std::move(origin)), diags_(diags) {}

    // The configuration, or nullopt when `text` has an error (each one is in `diags`).
    std::optional<ServeConfig> read(const std::string& text);

  private:
    std::string origin_;
    Diagnostics& diags_;
};

// The file's text, or nullopt with an error at the path when it cannot be read.
std::optional<std::string> read_config_file(const std::string& path, Diagnostics& diags);
std::optional<ServeConfig> load_serve_config(const std::string& path, Diagnostics& diags);

}  // namespace vigie
