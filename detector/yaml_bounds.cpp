// SPDX-License-Identifier: EUPL-1.2
#include "detector/yaml_bounds.hpp"

#include <vector>

#include "core/input_limits.hpp"

namespace vigie {

namespace {

struct Pending {
    YAML::Node node;
    uint32_t depth;
    // The map key the node is under: an alias shares its anchor's marks, so the key written
    // beside it is the place that names where the expansion happens.
    YAML::Mark key;
};

}  // namespace

std::optional<YamlBoundsError> check_yaml_bounds(const YAML::Node& doc, uint32_t max_depth,
                                                 uint64_t max_nodes) {
    std::vector<Pending> pending;
    pending.push_back({doc, 1, doc.Mark()});
    uint64_t visited = 0;
    while (!pending.empty()) {
        Pending p = std::move(pending.back());
        pending.pop_back();
        if (++visited > max_nodes) {
            return YamlBoundsError{p.key,
                                   "the rule expands to more than " + std::to_string(max_nodes) +
                                       " YAML nodes once its aliases are resolved (the bound "
                                       "max_rule_nodes)"};
        }
        if (p.depth > max_depth) return YamlBoundsError{p.node.Mark(), nesting_error_text()};
        if (p.node.IsMap()) {
            for (const auto& kv : p.node) {
                pending.push_back({kv.first, p.depth + 1, kv.first.Mark()});
                pending.push_back({kv.second, p.depth + 1, kv.first.Mark()});
            }
        } else if (p.node.IsSequence()) {
            for (const auto& item : p.node) pending.push_back({item, p.depth + 1, p.key});
        }
    }
    return std::nullopt;
}

}  // namespace vigie
