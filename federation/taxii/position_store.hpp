// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Where a TAXII client keeps how far it has read each peer's collection (the
// added_after of its next poll), so that a restart does not download everything again.
// vigie serve keeps it in the indicator store's state table
// (federation/sharing/serve_federation.cpp); tests keep it in memory.
#include <map>
#include <optional>
#include <string>

#include "core/result.hpp"

namespace vigie::taxii {

class PositionStore {
  public:
    virtual ~PositionStore() = default;
    [[nodiscard]] virtual std::optional<std::string> load(const std::string& key) = 0;
    // An error when it could not be kept (the next start re-reads from the previous
    // position: objects come again and are found already known).
    virtual Status save(const std::string& key, const std::string& position) = 0;
};

// "taxii-position:<peer>:<collection>"
inline std::string position_key(const std::string& peer, const std::string& collection) {
    return "taxii-position:" + peer + ":" + collection;
}

class MemoryPositionStore final : public PositionStore {
  public:
    std::optional<std::string> load(const std::string& key) override {
        auto it = positions_.find(key);
        if (it == positions_.end()) return std::nullopt;
        return it->second;
    }
    Status save(const std::string& key, const std::string& position) override {
        positions_[key] = position;
        return {};
    }

  private:
    std::map<std::string, std::string> positions_;
};

}  // namespace vigie::taxii
