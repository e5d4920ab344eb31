// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The bounds a rule's YAML is held to before anything is built from it: how deep it nests
// and how many nodes it expands to once aliases are resolved. yaml-cpp keeps an alias as
// a second reference to its anchor's node, so a 22 KB "billion laughs" document loads in
// microseconds but expands to hundreds of thousands of values for whoever walks it: the
// walk here counts every node as the rule parser would see it and stops at the bound.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>

namespace vigie {

struct YamlBoundsError {
    YAML::Mark mark;  // the node at which the bound was passed
    std::string message;
};

// nullopt when `doc` nests at most `max_depth` levels and expands to at most `max_nodes`
// nodes (keys, values and items, aliases counted each time they are used). Iterative:
// its own stack is on the heap, so the walk itself cannot exhaust the thread's stack.
std::optional<YamlBoundsError> check_yaml_bounds(const YAML::Node& doc, uint32_t max_depth,
                                                 uint64_t max_nodes);

}  // namespace vigie
