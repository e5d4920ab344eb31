#include "app/indicator_commands.hpp"

#include <cstdio>

#include "app/indicator_loading.hpp"
#include "stix/tlp_granular.hpp"

namespace vigie {

int run_indicators_import(const IndicatorImportOptions& o) {
    auto tlp = stix::parse_tlp(o.default_tlp);
    if (!tlp) {
        std::fprintf(stderr, "vigie: --default-tlp: '%s' is not a TLP level\n",
                     o.default_tlp.c_str());
        return 2;
    }
    LoadedIndicators loaded =
        load_indicators({o.store, o.max_indicators, o.bundles, o.misp_feeds, *tlp});
    if (!loaded.catalog) return 1;
    std::fprintf(stderr, "vigie: %zu indicators in %s\n", loaded.store->count(), o.store.c_str());
    return loaded.rejected == 0 ? 0 : 1;
}

int run_indicators_export(const IndicatorExportOptions& o) {
    std::string error;
    auto store = IndicatorStore::open(o.store, SIZE_MAX, error);
    if (!store) {
        std::fprintf(stderr, "vigie: %s\n", error.c_str());
        return 1;
    }
    const stix::PeerClearance receiver{true, o.amber};
    size_t written = 0, withheld = 0;
    std::fputs(
        "{\"type\":\"bundle\",\"id\":\"bundle--00000000-0000-4000-8000-000000000000\",\"objects\":"
        "[",
        stdout);
    // What leaves is what stix::disclose lets the receiver have: properties marked above its
    // clearance (granular markings) are removed; the stored level (the object's, or the
    // default it arrived with) is the level of an object without a TLP marking.
    store->for_each_json(0, [&](const std::string&, const std::string& json, stix::Tlp tlp) {
        const stix::Disclosure d = stix::disclose(json, tlp, receiver);
        if (d.withheld || !stix::tlp_may_leave(tlp, receiver)) {
            ++withheld;
            return;
        }
        std::fputs(written++ == 0 ? "\n" : ",\n", stdout);
        std::fputs(d.json.c_str(), stdout);
    });
    std::fputs("\n]}\n", stdout);
    std::fprintf(stderr, "vigie: %zu indicators exported, %zu withheld by their TLP\n", written,
                 withheld);
    return 0;
}

}  // namespace vigie
