// SPDX-License-Identifier: EUPL-1.2
#include "detector/field_paths.hpp"

namespace vigie {

JsonPath parse_json_path(std::string_view dotted) {
    JsonPath out(1);
    for (size_t i = 0; i < dotted.size(); ++i) {
        if (dotted[i] == '\\' && i + 1 < dotted.size() && dotted[i + 1] == '.') {
            out.back() += '.';
            ++i;
        } else if (dotted[i] == '.') {
            out.emplace_back();
        } else {
            out.back() += dotted[i];
        }
    }
    return out;
}

std::string format_json_path(const JsonPath& path) {
    std::string out;
    for (const auto& seg : path) {
        if (!out.empty()) out += '.';
        for (char c : seg) {
            if (c == '.') out += '\\';
            out += c;
        }
    }
    return out;
}

PathId PathTrie::add(const JsonPath& path) {
    if (auto it = path_ids_.find(path); it != path_ids_.end()) return it->second;
    uint32_t at = root();
    for (const auto& raw_seg : path) {
        std::string seg = raw_seg;
        if (ignore_spaces_) std::erase(seg, ' ');
        uint32_t next = kNone;
        if (seg == "*") {
            next = nodes_[at].any_child;
        } else {
            next = children_.find(at, seg);
        }
        if (next == kNone) {
            next = static_cast<uint32_t>(nodes_.size());
            nodes_.emplace_back();
            if (seg == "*") {
                nodes_[at].any_child = next;
            } else {
                children_.insert(at, seg, next);
            }
        }
        at = next;
    }
    auto id = static_cast<PathId>(paths_.size());
    paths_.push_back(path);
    path_ids_.emplace(path, id);
    nodes_[at].paths.push_back(id);
    return id;
}

FieldId FieldTable::intern(std::vector<PathId> paths, std::string display_name) {
    if (auto it = ids_.find(paths); it != ids_.end()) return it->second;
    auto id = static_cast<FieldId>(fields_.size());
    ids_.emplace(paths, id);
    fields_.push_back(std::move(paths));
    names_.push_back(std::move(display_name));
    return id;
}

}  // namespace vigie
