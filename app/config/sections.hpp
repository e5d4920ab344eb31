// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The tables of the sections of the `vigie serve` configuration, one per settings type
// (schema.hpp says how a table reads). serve_schema() is the whole file; the others are
// its sections, defined beside the part of the file they read:
//   serve_sections.cpp       the file, http, metrics, rules, engine, agencies, admin, log, limits
//   alerts_sections.cpp      alerts (outputs, suppression), spool, metrics.pushgateway
//   nats_sections.cpp        nats, and the server lists of nats outputs
//   indicators_sections.cpp  indicators
//   taxii_sections.cpp       taxii
//   federation_sections.cpp  federation
#include <optional>
#include <string>
#include <vector>

#include "app/config/schema.hpp"
#include "app/config/serve_config.hpp"

namespace vigie {

const Schema<ServeConfig>& serve_schema();
const Schema<ServeConfig>& alerts_schema();
const Schema<SpoolSettings>& spool_schema();
const Schema<PushgatewaySettings>& pushgateway_schema();
const Schema<NatsSettings>& nats_schema();
const Schema<IndicatorSettings>& indicators_schema();
const Schema<taxii::FederationSettings>& federation_schema();
// taxii: its collections are read before the rest (the peers' rights name them).
void read_taxii(SchemaReader& r, const YAML::Node& n, const std::string& path,
                taxii::TaxiiSettings& t);

// nats.url and a nats output's url: one server URL, a comma list or a list of them.
std::optional<std::vector<std::string>> read_nats_servers(SchemaReader& r, const YAML::Node& n,
                                                          const std::string& path);
template <class Field>
auto nats_servers(std::string_view key, Field field) {
    return make_row(key,
                    [field](SchemaReader& r, const YAML::Node& v, const std::string& p, auto& s) {
                        if (auto servers = read_nats_servers(r, v, p))
                            keys::field_of(field, s) = std::move(*servers);
                    });
}
// A NATS inbox prefix: empty, or a subject without wildcards.
keys::TextCheck nats_inbox_prefix_check();

}  // namespace vigie
