#include "app/indicator_loading.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/commands.hpp"
#include "federation/misp/misp_feed.hpp"
#include "federation/stix/bundle_reader.hpp"

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
        std::fprintf(stderr, "vigie: %s: indicator store: %s\n", origin.c_str(),
                     report.error.c_str());
        return content.objects;
    }
    std::fprintf(stderr,
                 "vigie: %s: %zu objects, %zu indicators (%zu new, %zu updated, %zu already known, "
                 "%zu not matched per event), %zu refused\n",
                 origin.c_str(), content.objects, content.indicators.size(), report.added,
                 report.updated, report.stale, report.not_matched, content.rejected);
    return content.rejected;
}

size_t import_misp_feed(IndicatorCatalog& catalog, const std::string& location,
                        stix::Tlp default_tlp) {
    misp::MispEventOptions options;
    options.source = location;
    options.default_tlp = default_tlp;
    misp::MispFeedContent feed = misp::read_misp_feed(location, options);
    print_diagnostics(feed.diagnostics);
    ApplyReport report = catalog.apply(feed.indicators, unix_now_us());
    print_diagnostics(report.diagnostics);
    if (!report.error.empty()) {
        std::fprintf(stderr, "vigie: %s: indicator store: %s\n", location.c_str(),
                     report.error.c_str());
        return feed.indicators.size();
    }
    std::fprintf(
        stderr,
        "vigie: %s: %zu MISP events, %zu attributes, %zu indicators (%zu new, %zu updated, "
        "%zu already known), %zu skipped (not for IDS or no observable), %zu refused\n",
        location.c_str(), feed.events, feed.attributes, feed.indicators.size(), report.added,
        report.updated, report.stale, feed.skipped, feed.diagnostics.size());
    return feed.diagnostics.size();
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
    for (const auto& feed : options.misp_feeds)
        out.rejected += import_misp_feed(*out.catalog, feed, options.default_tlp);
    return out;
}

}  // namespace vigie
