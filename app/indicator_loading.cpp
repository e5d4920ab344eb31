#include "app/indicator_loading.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/commands.hpp"
#include "stix/bundle_reader.hpp"

namespace vigie {

size_t import_bundle(IndicatorCatalog& catalog, const std::string& text, const std::string& origin,
                     const std::string& source, stix::Tlp default_tlp) {
    stix::BundleOptions options;
    options.origin = origin;
    options.source = source;
    options.default_tlp = default_tlp;
    stix::BundleContent content = stix::read_bundle(text, options);
    print_diagnostics(content.diagnostics);
    ApplyReport report = catalog.apply(content.indicators, unix_now_us());
    print_diagnostics(report.diagnostics);
    if (!report.error.empty()) {
        std::fprintf(stderr, "vigie: %s: indicator store: %s\n", origin.c_str(), report.error.c_str());
        return content.objects;
    }
    std::fprintf(stderr,
                 "vigie: %s: %zu objects, %zu indicators (%zu new, %zu updated, %zu already known, "
                 "%zu not matched per event), %zu refused\n",
                 origin.c_str(), content.objects, content.indicators.size(), report.added,
                 report.updated, report.stale, report.not_matched, content.rejected);
    return content.rejected;
}

LoadedIndicators load_indicators(const IndicatorLoadOptions& options) {
    LoadedIndicators out;
    std::string error;
    out.store = IndicatorStore::open(options.store_path.empty() ? ":memory:" : options.store_path,
                                     options.max_indicators, error);
    if (!out.store) {
        std::fprintf(stderr, "vigie: %s\n", error.c_str());
        return out;
    }
    out.catalog = std::make_unique<IndicatorCatalog>(*out.store);
    for (const auto& file : options.bundle_files) {
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "vigie: %s: cannot read\n", file.c_str());
            ++out.rejected;
            continue;
        }
        std::ostringstream text;
        text << in.rdbuf();
        out.rejected += import_bundle(*out.catalog, text.str(), file, file, options.default_tlp);
    }
    return out;
}

}  // namespace vigie
