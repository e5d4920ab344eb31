// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Where fields live in a JSON event. A JSON path is a list of keys ("*" matches any one
// key); every path any loaded rule can look at goes into one trie, so that reading an
// event is one pass over it that keeps only what some rule needs. A field (FieldId) is
// an ordered list of paths: the first one present in the event is the field's value.
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "detector/key_index.hpp"

namespace vigie {

using PathId = uint32_t;
using FieldId = uint32_t;
inline constexpr uint32_t kNone = UINT32_MAX;
static_assert(kNone == KeyIndex::kMissing);
// The pseudo-field of keyword selections: every string value of the event.
inline constexpr FieldId kKeywordField = UINT32_MAX - 1;

using JsonPath = std::vector<std::string>;
// "Event.EventData.Image"; "\." is a dot inside a key.
JsonPath parse_json_path(std::string_view dotted);
std::string format_json_path(const JsonPath& path);

class PathTrie {
  public:
    struct Node {
        uint32_t any_child = kNone;  // the "*" segment
        std::vector<PathId> paths;   // paths that end here
    };

    explicit PathTrie(bool ignore_spaces = false) : nodes_(1), ignore_spaces_(ignore_spaces) {}

    PathId add(const JsonPath& path);
    [[nodiscard]] const Node& node(uint32_t index) const { return nodes_[index]; }
    [[nodiscard]] static uint32_t root() { return 0; }
    // The child of node `node` for an event key (kNone if none); see Node::any_child
    // for "*".
    [[nodiscard]] uint32_t child(uint32_t node, std::string_view key) const {
        return children_.find(node, key);
    }
    [[nodiscard]] size_t path_count() const { return paths_.size(); }
    [[nodiscard]] const JsonPath& path(PathId id) const { return paths_[id]; }
    // Event keys are compared with their spaces removed ("Threat Name" = ThreatName).
    [[nodiscard]] bool ignore_spaces() const { return ignore_spaces_; }

  private:
    std::vector<Node> nodes_;
    KeyIndex children_;  // every named edge: (parent node, key) -> child node
    std::vector<JsonPath> paths_;
    std::map<JsonPath, PathId> path_ids_;
    bool ignore_spaces_;
};

class FieldTable {
  public:
    FieldId intern(std::vector<PathId> paths, std::string display_name);
    [[nodiscard]] std::span<const PathId> paths(FieldId id) const { return fields_[id]; }
    [[nodiscard]] const std::string& name(FieldId id) const { return names_[id]; }
    [[nodiscard]] size_t size() const { return fields_.size(); }

  private:
    std::vector<std::vector<PathId>> fields_;
    std::vector<std::string> names_;
    std::map<std::vector<PathId>, FieldId> ids_;
};

}  // namespace vigie
