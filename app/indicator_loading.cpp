// SPDX-License-Identifier: EUPL-1.2
#include "app/indicator_loading.hpp"

#include <cstdio>

#include "app/commands.hpp"

namespace vigie {

void PrintedImportReport::unreadable(const std::string& file) {
    std::fprintf(stderr, "vigie: %s: cannot read\n", file.c_str());
}

void PrintedImportReport::imported(const ImportOutcome& r) {
    print_diagnostics(r.read_problems);
    if (!r.kept()) {
        std::fprintf(stderr, "vigie: %s: indicator store: %s\n", r.origin.c_str(),
                     r.applied.error().message.c_str());
        return;
    }
    const ApplyReport& a = *r.applied;
    print_diagnostics(a.diagnostics);
    if (r.kind == IndicatorInput::Kind::Bundle) {
        std::fprintf(stderr,
                     "vigie: %s: %zu objects, %zu indicators (%zu new, %zu updated, %zu already "
                     "known, %zu not matched per event), %zu refused\n",
                     r.origin.c_str(), r.objects, r.indicators.size(), a.added, a.updated, a.stale,
                     a.not_matched, r.refused);
        return;
    }
    std::fprintf(
        stderr,
        "vigie: %s: %zu MISP events, %zu attributes, %zu indicators (%zu new, %zu updated, "
        "%zu already known), %zu skipped (not for IDS or no observable), %zu refused\n",
        r.origin.c_str(), r.events, r.attributes, r.indicators.size(), a.added, a.updated, a.stale,
        r.skipped, r.refused);
}

LoadedIndicators load_indicators(const IndicatorLoadOptions& options) {
    PrintedImportReport report;
    Result<LoadedIndicators> loaded = load_indicators(options, report);
    if (!loaded) {
        std::fprintf(stderr, "vigie: %s\n", loaded.error().message.c_str());
        return {};
    }
    return std::move(loaded).value();
}

}  // namespace vigie
