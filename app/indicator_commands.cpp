// SPDX-License-Identifier: EUPL-1.2
#include "app/indicator_commands.hpp"

#include <simdjson.h>

#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

#include "app/indicator_loading.hpp"
#include "federation/stix/timestamp.hpp"
#include "federation/stix/tlp_granular.hpp"

namespace vigie {

namespace {

// The `modified` of an indicator's newest version when that version revokes it.
std::optional<int64_t> revoking_modified(const std::string& json) {
    simdjson::dom::parser parser;
    simdjson::dom::object o;
    bool revoked = false;
    std::string_view modified;
    if (parser.parse(json).get_object().get(o) != simdjson::SUCCESS ||
        o["revoked"].get_bool().get(revoked) != simdjson::SUCCESS || !revoked ||
        o["modified"].get_string().get(modified) != simdjson::SUCCESS)
        return std::nullopt;
    return stix::parse_timestamp(modified);
}

// A receiver not cleared for an indicator's revoking version gets, as TAXII peers do, the
// last version it may receive, revoked with the revoking version's `modified`: what it
// imported from an earlier export stops matching, and it learns nothing else. An older
// version without a TLP marking counts as RED (the default it arrived with is not kept).
std::optional<std::string> revocation_for(const IndicatorStore& store, const std::string& id,
                                          int64_t modified_us,
                                          const stix::PeerClearance& receiver) {
    std::vector<std::string> versions = store.versions(id);
    if (!versions.empty()) versions.pop_back();  // the revoking version itself
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
        if (stix::disclose(*it, stix::Tlp::Red, receiver).withheld) continue;
        stix::Disclosure d =
            stix::disclose(stix::as_revocation(*it, modified_us), stix::Tlp::Red, receiver);
        if (!d.withheld) return std::move(d.json);
    }
    return std::nullopt;
}

}  // namespace

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
    auto opened = IndicatorStore::open(o.store, SIZE_MAX);
    if (!opened) {
        std::fprintf(stderr, "vigie: %s\n", opened.error().message.c_str());
        return 1;
    }
    auto& store = *opened;
    const stix::PeerClearance receiver{true, o.amber};
    size_t written = 0, withheld = 0;
    std::fputs(
        "{\"type\":\"bundle\",\"id\":\"bundle--00000000-0000-4000-8000-000000000000\",\"objects\":"
        "[",
        stdout);
    // What leaves is what stix::disclose lets the receiver have: properties marked above its
    // clearance (granular markings) are removed; the stored level (the object's, or the
    // default it arrived with) is the level of an object without a TLP marking.
    std::vector<std::pair<std::string, int64_t>> revoked;  // withheld revocations
    store->for_each_json(0, [&](const std::string& id, const std::string& json, stix::Tlp tlp) {
        const stix::Disclosure d = stix::disclose(json, tlp, receiver);
        if (d.withheld || !stix::tlp_may_leave(tlp, receiver)) {
            if (auto modified = revoking_modified(json)) revoked.emplace_back(id, *modified);
            ++withheld;
            return;
        }
        std::fputs(written++ == 0 ? "\n" : ",\n", stdout);
        std::fputs(d.json.c_str(), stdout);
    });
    size_t revocations = 0;
    for (const auto& [id, modified] : revoked) {
        auto json = revocation_for(*store, id, modified, receiver);
        if (!json) continue;
        std::fputs(written++ == 0 ? "\n" : ",\n", stdout);
        std::fputs(json->c_str(), stdout);
        ++revocations;
    }
    std::fputs("\n]}\n", stdout);
    std::fprintf(stderr,
                 "vigie: %zu indicators exported, %zu withheld by their TLP (%zu of them sent as "
                 "the revocation of a version the receiver may see)\n",
                 written, withheld, revocations);
    return 0;
}

}  // namespace vigie
