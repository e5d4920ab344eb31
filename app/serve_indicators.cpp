#include "app/serve_indicators.hpp"

#include <simdjson.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "stix/bundle_reader.hpp"

namespace vigie {

ServeIndicators::ServeIndicators(const ServeConfig& config, Logger& log)
    : log_(log), settings_(config.indicators) {
    if (!settings_.enabled) return;
    default_tlp_ = stix::parse_tlp(settings_.default_tlp).value_or(stix::Tlp::Amber);
    const std::string path =
        settings_.store.empty() ? config.spool.directory + "/indicators.sqlite" : settings_.store;
    std::string error;
    store_ = IndicatorStore::open(path, settings_.max_indicators, error);
    if (!store_) throw std::runtime_error(error);
    catalog_ = std::make_unique<IndicatorCatalog>(*store_);
    log_.info("indicators loaded", {{"store", path}, {"indicators", uint64_t{store_->count()}}});
    for (const auto& file : settings_.bundles) {
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            log_.error("indicator bundle cannot be read", {{"file", file}});
            ++rejected_;
            continue;
        }
        std::ostringstream text;
        text << in.rdbuf();
        import(text.str(), file, file);
    }
}

ServeIndicators::PeerImport ServeIndicators::import(const std::string& text,
                                                    const std::string& origin,
                                                    const std::string& source) {
    stix::BundleOptions options;
    options.origin = origin;
    options.source = source;
    options.default_tlp = default_tlp_;
    stix::BundleContent content = stix::read_bundle(text, options);
    for (const auto& d : content.diagnostics) log_.warn("indicator refused", {{"problem", d.format()}});
    rejected_ += content.rejected;
    ApplyReport report = catalog_->apply(content.indicators, unix_now_us());
    if (!report.error.empty()) {
        log_.error("indicator store failed; the objects were not kept",
                   {{"origin", origin}, {"error", report.error}});
        rejected_ += content.indicators.size();
        return {content.rejected, false, report.error};
    }
    for (const auto& d : report.diagnostics) log_.warn("indicator not matched per event", {{"problem", d.format()}});
    log_.info("indicators imported", {{"origin", origin},
                                      {"objects", uint64_t{content.objects}},
                                      {"new", uint64_t{report.added}},
                                      {"updated", uint64_t{report.updated}},
                                      {"known", uint64_t{report.stale}},
                                      {"refused", uint64_t{content.rejected}}});
    return {content.rejected, true, {}};
}

void ServeIndicators::on_taxii_objects(const std::string& collection, const std::string& peer,
                                       const std::vector<std::string>& objects) {
    if (!catalog_) return;
    const auto& feeds = settings_.taxii_collections;
    if (!feeds.empty() && std::find(feeds.begin(), feeds.end(), collection) == feeds.end()) return;
    std::string array = "[";
    for (const auto& o : objects) {
        if (array.size() > 1) array += ',';
        array += o;
    }
    array += ']';
    import(array, "taxii collection " + collection + " (peer " + peer + ")", peer);
}

namespace {

// Why an object from `peer` is refused before it is read as STIX, or "" when it is not:
// not a JSON object (the bundle reader would stop there and lose the objects after it),
// or an id that another source gave us (a peer may not replace, nor revoke, the
// indicators of another peer or of a bundle file).
std::string peer_refusal(const IndicatorStore& store, simdjson::dom::parser& parser,
                         const std::string& object, const std::string& peer) {
    simdjson::dom::object o;
    if (parser.parse(object).get_object().get(o) != simdjson::SUCCESS)
        return "not a JSON object";
    std::string_view id;
    if (o["id"].get_string().get(id) != simdjson::SUCCESS) return "";  // the reader says why
    const auto held = store.origin(std::string(id));
    if (held && held->source != peer)
        return std::string(id) + " came from " + held->source + ", which alone may change it";
    return "";
}

}  // namespace

ServeIndicators::PeerImport ServeIndicators::import_from_peer(
    const std::string& peer, const std::string& page_url, const std::vector<std::string>& objects) {
    if (!catalog_) return {0, false, "indicators are not enabled"};
    const std::string origin = "federation peer " + peer + " " + page_url;
    simdjson::dom::parser parser;
    size_t refused_here = 0;
    std::string array = "[";
    for (size_t i = 0; i < objects.size(); ++i) {
        const std::string why = peer_refusal(*store_, parser, objects[i], peer);
        if (!why.empty()) {
            log_.warn("indicator refused",
                      {{"problem", origin + ": objects[" + std::to_string(i) + "]: " + why}});
            ++refused_here;
            continue;
        }
        if (array.size() > 1) array += ',';
        array += objects[i];
    }
    array += ']';
    rejected_ += refused_here;
    PeerImport r = import(array, origin, peer);
    r.refused += refused_here;
    return r;
}

}  // namespace vigie
