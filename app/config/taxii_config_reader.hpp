#pragma once
// Reads the `taxii:` section of the serve configuration (config_reader.cpp calls it), with
// the same strictness as the rest of the file: unknown keys, bad values, duplicate ids and
// rights on unknown collections are errors with their file:line:col.
#include <cstddef>
#include <string>

#include "core/diagnostic.hpp"
#include "federation/taxii/taxii_config.hpp"

namespace YAML {
class Node;
}

namespace vigie {

// Fills `out` from `node` (the value of the `taxii` key at `path`); returns the number of
// errors added to `diags`.
size_t read_taxii_config(const YAML::Node& node, const std::string& path, const std::string& origin,
                         Diagnostics& diags, taxii::TaxiiSettings& out);

}  // namespace vigie
