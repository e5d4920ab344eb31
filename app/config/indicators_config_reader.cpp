// The indicators section of the `vigie serve` configuration.
#include <yaml-cpp/yaml.h>

#include "app/config/config_reader.hpp"
#include "federation/stix/tlp.hpp"

namespace vigie {

void ConfigReader::indicators(const YAML::Node& n, const std::string& path, IndicatorSettings& s) {
    auto list = [this](std::vector<std::string>& out) {
        return
            [this, &out](const YAML::Node& v, const std::string& p) { optional_texts(v, p, out); };
    };
    fields(n, path,
           {{"enabled", [&](const YAML::Node& v, const std::string& p) { flag(v, p, s.enabled); }},
            {"store", [&](const YAML::Node& v, const std::string& p) { text(v, p, s.store); }},
            {"max_indicators", uint_field(1, uint64_t{1} << 32, s.max_indicators)},
            {"bundles", list(s.bundles)},
            {"misp_feeds", list(s.misp_feeds)},
            {"misp_interval_seconds", uint_field(0, 86400, s.misp_interval_seconds)},
            {"share_over_nats",
             [&](const YAML::Node& v, const std::string& p) { flag(v, p, s.share_over_nats); }},
            {"sigma_auto_accept", list(s.sigma_auto_accept)},
            {"sigma_rules_dir",
             [&](const YAML::Node& v, const std::string& p) { text(v, p, s.sigma_rules_dir); }},
            {"taxii_collections", list(s.taxii_collections)},
            {"sightings_interval_seconds", uint_field(1, 86400, s.sightings_interval_seconds)},
            {"default_tlp", [&](const YAML::Node& v, const std::string& p) {
                 text(v, p, s.default_tlp);
                 if (!stix::parse_tlp(s.default_tlp))
                     error(v, p + " must be one of: clear, green, amber, amber+strict, red");
             }}});
}

}  // namespace vigie
