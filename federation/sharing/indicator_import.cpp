// SPDX-License-Identifier: EUPL-1.2
#include "federation/sharing/indicator_import.hpp"

#include <fstream>
#include <sstream>

#include "federation/stix/bundle_reader.hpp"

namespace vigie {

namespace {

ImportOutcome read_bundle_input(const IndicatorInput& input) {
    stix::BundleOptions options;
    options.origin = input.origin;
    options.source = input.source;
    options.default_tlp = input.default_tlp;
    stix::BundleContent content = stix::read_bundle(input.text, options);
    ImportOutcome out;
    out.kind = IndicatorInput::Kind::Bundle;
    out.read_problems = std::move(content.diagnostics);
    out.indicators = std::move(content.indicators);
    out.refused = content.rejected;
    out.objects = content.objects;
    return out;
}

ImportOutcome read_misp_input(const IndicatorInput& input) {
    misp::MispEventOptions options;
    options.origin = input.origin;
    options.source = input.source;
    options.default_tlp = input.default_tlp;
    misp::MispFeedContent feed =
        misp::read_misp_feed(input.location, options, {.cancel = input.cancel}, input.memory);
    ImportOutcome out;
    out.kind = IndicatorInput::Kind::MispFeed;
    out.refused = feed.diagnostics.size();
    out.read_problems = std::move(feed.diagnostics);
    out.indicators = std::move(feed.indicators);
    out.events = feed.events;
    out.unchanged = feed.unchanged;
    out.attributes = feed.attributes;
    out.skipped = feed.skipped;
    return out;
}

}  // namespace

IndicatorInput IndicatorInput::bundle(std::string text, std::string origin, std::string source,
                                      stix::Tlp default_tlp) {
    IndicatorInput in;
    in.text = std::move(text);
    in.origin = std::move(origin);
    in.source = std::move(source);
    in.default_tlp = default_tlp;
    return in;
}

IndicatorInput IndicatorInput::misp_feed(std::string location, std::string origin,
                                         std::string source, stix::Tlp default_tlp) {
    IndicatorInput in;
    in.kind = Kind::MispFeed;
    in.location = std::move(location);
    in.origin = std::move(origin);
    in.source = std::move(source);
    in.default_tlp = default_tlp;
    return in;
}

ImportOutcome import_indicators(IndicatorCatalog& catalog, const IndicatorInput& input,
                                ImportReport& report) {
    ImportOutcome out = input.kind == IndicatorInput::Kind::Bundle ? read_bundle_input(input)
                                                                   : read_misp_input(input);
    out.origin = input.kind == IndicatorInput::Kind::Bundle ? input.origin : input.location;
    out.applied = catalog.apply(out.indicators, unix_now_us());
    report.imported(out);
    return out;
}

std::optional<std::string> read_bundle_file(const std::string& file, ImportReport& report) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        report.unreadable(file);
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return std::move(text).str();
}

Result<LoadedIndicators> load_indicators(const IndicatorLoadOptions& options,
                                         ImportReport& report) {
    auto opened = IndicatorStore::open(options.store_path.empty() ? ":memory:" : options.store_path,
                                       options.max_indicators);
    if (!opened) return opened.error();
    LoadedIndicators out;
    out.store = std::move(opened).value();
    out.catalog = std::make_unique<IndicatorCatalog>(*out.store);
    for (const auto& file : options.bundle_files) {
        auto text = read_bundle_file(file, report);
        if (!text) {
            ++out.rejected;
            continue;
        }
        const ImportOutcome r = import_indicators(
            *out.catalog, IndicatorInput::bundle(std::move(*text), file, file, options.default_tlp),
            report);
        // The store failing counts every object of the bundle.
        out.rejected += r.kept() ? r.refused : r.objects;
    }
    for (const auto& feed : options.misp_feeds) {
        // No origin: the feed's problems are named after its files alone.
        const ImportOutcome r = import_indicators(
            *out.catalog, IndicatorInput::misp_feed(feed, "", feed, options.default_tlp), report);
        out.rejected += r.kept() ? r.refused : r.indicators.size();
    }
    return out;
}

}  // namespace vigie
