// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A worker's indicator matching: the observable fields of each event (the mapping's
// `observables`) looked up in the indicator set in force. One per thread; refresh() once a
// batch picks up a newly published set, so the per-event path is lock-free and, once
// warmed up, allocates nothing.
#include <hs/hs.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detector/event_fields.hpp"
#include "detector/ruleset.hpp"
#include "federation/indicators/indicator_catalog.hpp"
#include "pipeline/scan/indicator_source.hpp"

namespace vigie {

class IndicatorMatcher final : public IndicatorLookup {
  public:
    IndicatorMatcher(const IndicatorCatalog& catalog, const Ruleset& ruleset);
    ~IndicatorMatcher() override;
    IndicatorMatcher(const IndicatorMatcher&) = delete;
    IndicatorMatcher& operator=(const IndicatorMatcher&) = delete;

    // Takes the set in force now (and grows the Hyperscan scratch for it).
    void refresh() override;
    void match(const EventFields& event, int64_t now_us, std::vector<IndicatorHit>& hits) override;
    [[nodiscard]] bool empty() const { return fields_.empty(); }

  private:
    struct Field {
        FieldId field;
        std::string name;
        std::string key;  // canonical (observable.hpp)
        ValueKind kind;
        bool hash_list;  // "ALG=hex,ALG=hex"
    };
    void look_up(const Field& f, std::string_view key, ValueKind kind, std::string_view value,
                 int64_t now_us, std::vector<IndicatorHit>& hits);
    void look_up_hash_list(const Field& f, std::string_view list, int64_t now_us,
                           std::vector<IndicatorHit>& hits);

    const IndicatorCatalog& catalog_;
    const FieldTable& table_;
    std::vector<Field> fields_;
    std::shared_ptr<const IndicatorSet> set_;
    hs_scratch_t* scratch_ = nullptr;
    std::string buffer_;
    std::string hash_key_;
};

}  // namespace vigie
