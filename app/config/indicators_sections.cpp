// SPDX-License-Identifier: EUPL-1.2
// The indicators section of the `vigie serve` configuration.
#include "app/config/sections.hpp"
#include "federation/stix/tlp.hpp"

namespace vigie {

namespace {

bool tlp_name(std::string& name) {
    return stix::parse_tlp(name).has_value();
}

}  // namespace

const Schema<IndicatorSettings>& indicators_schema() {
    using namespace keys;
    using I = IndicatorSettings;
    static const Schema<I> schema{{
        flag("enabled", &I::enabled),
        text("store", &I::store),
        number("max_indicators", &I::max_indicators, 1, uint64_t{1} << 32),
        texts("bundles", &I::bundles, true),
        texts("misp_feeds", &I::misp_feeds, true),
        number("misp_interval_seconds", &I::misp_interval_seconds, 0, 86400),
        flag("share_over_nats", &I::share_over_nats),
        texts("sigma_auto_accept", &I::sigma_auto_accept, true),
        text("sigma_rules_dir", &I::sigma_rules_dir),
        texts("taxii_collections", &I::taxii_collections, true),
        number("sightings_interval_seconds", &I::sightings_interval_seconds, 1, 86400),
        text("default_tlp", &I::default_tlp,
             {"one of: clear, green, amber, amber+strict, red", tlp_name}),
    }};
    return schema;
}

}  // namespace vigie
