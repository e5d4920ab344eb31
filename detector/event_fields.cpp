// SPDX-License-Identifier: EUPL-1.2
#include "detector/event_fields.hpp"

namespace vigie {

void EventFields::reset(size_t path_count) {
    if (slots_.size() < path_count) slots_.resize(path_count);
    ++generation_;
    if (generation_ == 0) {  // wrapped: forget every old generation
        for (auto& s : slots_) s = Slot{};
        generation_ = 1;
    }
    pending_.clear();
    pending_paths_.clear();
    touched_.clear();
    grouped_.clear();
    strings_.clear();
}

void EventFields::add(PathId path, FieldValue value) {
    Slot& slot = slots_[path];
    if (slot.generation != generation_) {
        slot = Slot{generation_, 0, 0, 0, false};
        touched_.push_back(path);
    }
    if (value.type == ValueType::Container) {
        slot.container = true;
        return;
    }
    ++slot.count;
    pending_.push_back(value);
    pending_paths_.push_back(path);
}

void EventFields::seal() {
    uint32_t offset = 0;
    for (PathId p : touched_) {
        slots_[p].begin = offset;
        offset += slots_[p].count;
    }
    grouped_.resize(pending_.size());
    for (size_t i = 0; i < pending_.size(); ++i) {
        Slot& slot = slots_[pending_paths_[i]];
        grouped_[slot.begin + slot.filled++] = pending_[i];
    }
}

std::span<const FieldValue> EventFields::values(PathId path) const {
    if (path >= slots_.size() || slots_[path].generation != generation_) return {};
    const Slot& slot = slots_[path];
    return {grouped_.data() + slot.begin, slot.count};
}

bool EventFields::present(PathId path) const {
    return path < slots_.size() && slots_[path].generation == generation_;
}

FieldView EventFields::resolve(const FieldTable& fields, FieldId field) const {
    FieldView view;
    for (PathId p : fields.paths(field)) {
        if (!present(p)) continue;
        view.present = true;
        auto vals = values(p);
        if (!vals.empty()) {
            view.values = vals;
            return view;
        }
    }
    return view;
}

}  // namespace vigie
