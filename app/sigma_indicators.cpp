// SPDX-License-Identifier: EUPL-1.2
#include "app/sigma_indicators.hpp"

#include <cstdint>
#include <cstdio>

#include "federation/sharing/sigma_indicators.hpp"

namespace vigie {

int run_rules_pending(const RulesPendingOptions& o) {
    auto opened = IndicatorStore::open(o.store, SIZE_MAX);
    if (!opened) return std::fprintf(stderr, "vigie: %s\n", opened.error().message.c_str()), 1;
    auto& store = *opened;
    const auto local = local_rule_ids(o.rule_paths);
    size_t pending = 0;
    for (const auto& s : sigma_indicators(*store)) {
        if (s.accepted) continue;
        ++pending;
        std::string state =
            s.problems.empty() ? "ok" : std::to_string(s.problems.size()) + " problems";
        for (const auto& [id, file] : local)
            if (!s.rule_id.empty() && id == s.rule_id) state = "same id as local rule " + file;
        std::printf("%s  %s  %s  %s  [%s]\n", s.indicator_id.c_str(),
                    s.rule_id.empty() ? "-" : s.rule_id.c_str(), s.source.c_str(),
                    s.title.empty() ? s.name.c_str() : s.title.c_str(), state.c_str());
        for (const auto& d : s.problems) std::printf("    %s\n", d.format().c_str());
    }
    std::fprintf(stderr, "vigie: %zu Sigma rules from peers wait for review\n", pending);
    return 0;
}

int run_rules_accept(const RulesAcceptOptions& o) {
    auto opened = IndicatorStore::open(o.store, SIZE_MAX);
    if (!opened) return std::fprintf(stderr, "vigie: %s\n", opened.error().message.c_str()), 1;
    auto& store = *opened;
    for (const auto& s : sigma_indicators(*store)) {
        if (s.indicator_id != o.indicator_id) continue;
        Result<std::string> r = accept_sigma_indicator(*store, s, o.into, o.rule_paths);
        if (!r) return std::fprintf(stderr, "vigie: %s\n", r.error().message.c_str()), 1;
        std::fprintf(stdout, "%s\n", r->c_str());
        return 0;
    }
    std::fprintf(stderr, "vigie: %s: no such Sigma indicator in %s\n", o.indicator_id.c_str(),
                 o.store.c_str());
    return 1;
}

}  // namespace vigie
