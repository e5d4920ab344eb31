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
#include "indicators/indicator_catalog.hpp"

namespace vigie {

struct IndicatorHit {
    const IndicatorSegment* segment = nullptr;
    uint32_t slot = 0;
    std::string_view field;  // the Sigma field that carried it
    std::string_view value;  // the event's value (a view into the event)
};

class IndicatorMatcher {
  public:
    IndicatorMatcher(const IndicatorCatalog& catalog, const Ruleset& ruleset);
    ~IndicatorMatcher();
    IndicatorMatcher(const IndicatorMatcher&) = delete;
    IndicatorMatcher& operator=(const IndicatorMatcher&) = delete;

    // Takes the set in force now (and grows the Hyperscan scratch for it).
    void refresh();
    // The live indicators the event's observables hit, each once.
    void match(const EventFields& event, int64_t now_us, std::vector<IndicatorHit>& hits);
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
