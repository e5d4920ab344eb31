#pragma once
// Reads the `federation:` section of the serve configuration (config_reader.cpp calls it):
// unknown keys, bad values, duplicate peer ids, a credential without its pair are errors
// with their file:line:col.
#include <cstddef>
#include <string>

#include "core/diagnostic.hpp"
#include "federation/taxii/federation_config.hpp"

namespace YAML {
class Node;
}

namespace vigie {

// Fills `out` from `node` (the value of the `federation` key at `path`); returns the
// number of errors added to `diags`.
size_t read_federation_config(const YAML::Node& node, const std::string& path,
                              const std::string& origin, Diagnostics& diags,
                              taxii::FederationSettings& out);

}  // namespace vigie
