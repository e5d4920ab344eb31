#include "detector/yaml_bounds.hpp"

#include <utility>
#include <vector>

#include "base/input_limits.hpp"

namespace vigie {

std::optional<YamlBoundsError> check_yaml_bounds(const YAML::Node& doc, uint32_t max_depth,
                                                 uint64_t max_nodes) {
    std::vector<std::pair<YAML::Node, uint32_t>> pending;
    pending.emplace_back(doc, 1);
    uint64_t visited = 0;
    while (!pending.empty()) {
        auto [node, depth] = std::move(pending.back());
        pending.pop_back();
        if (++visited > max_nodes) {
            return YamlBoundsError{node.Mark(),
                                   "the rule expands to more than " + std::to_string(max_nodes) +
                                       " YAML nodes once its aliases are resolved (the bound "
                                       "max_rule_nodes)"};
        }
        if (depth > max_depth) return YamlBoundsError{node.Mark(), nesting_error_text()};
        if (node.IsMap()) {
            for (const auto& kv : node) {
                pending.emplace_back(kv.first, depth + 1);
                pending.emplace_back(kv.second, depth + 1);
            }
        } else if (node.IsSequence()) {
            for (const auto& item : node) pending.emplace_back(item, depth + 1);
        }
    }
    return std::nullopt;
}

}  // namespace vigie
