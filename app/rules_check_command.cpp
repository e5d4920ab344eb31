// SPDX-License-Identifier: EUPL-1.2
#include <cstdio>

#include "app/commands.hpp"

namespace vigie {

void print_diagnostics(const Diagnostics& diags) {
    for (const auto& d : diags) std::fprintf(stderr, "%s\n", d.format().c_str());
}

int run_rules_check(const RuleLoadOptions& options) {
    LoadedRuleset loaded = load_ruleset(options);
    print_diagnostics(loaded.diagnostics);
    if (!loaded.ruleset) {
        std::printf("loaded 0 of %zu rules (no usable mapping)\n", loaded.documents);
        return 1;
    }
    const auto& r = loaded.report;
    std::printf(
        "mapping %s: %zu rules active, %zu for other products, %zu without a mapped logsource, "
        "%zu evaluated on every event, %zu prefilter patterns in %zu Hyperscan databases (%zu from "
        "the "
        "cache), compiled in %.2f s\n",
        options.mapping.c_str(), r.rules - r.inactive, r.inactive, r.unmapped_logsource,
        r.always_evaluated, r.prefilter_patterns, r.prefilter_databases, r.prefilter_cached,
        r.seconds);
    std::printf("loaded %zu of %zu rules\n", loaded.loaded, loaded.documents);
    return loaded.loaded == loaded.documents && loaded.errors == 0 ? 0 : 1;
}

}  // namespace vigie
