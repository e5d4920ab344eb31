// SPDX-License-Identifier: EUPL-1.2
#include "app/serve_startup.hpp"

#include "app/config/startup_checks.hpp"
#include "app/serve_reload.hpp"
#include "federation/taxii/peer_credentials.hpp"

namespace vigie {

StartupCheck check_serve_startup(const ServeConfig& config) {
    StartupCheck out;
    out.errors = check_serve_config(config, out.diagnostics);
    const auto& peers = config.federation.peers;
    for (size_t i = 0; i < peers.size(); ++i) {
        if (auto loaded = taxii::load_peer_credentials(peers[i]); !loaded) {
            out.diagnostics.push_back(
                {Severity::Error,
                 config.places.of("federation"),
                 {},
                 "federation.peers[" + std::to_string(i) + "]: " + loaded.error().message});
            ++out.errors;
        }
    }
    out.configuration_diagnostics = out.diagnostics.size();
    if (out.errors > 0) return out;  // rules named by a broken configuration are not compiled
    out.rules = load_ruleset(rule_options(config.rules));
    for (auto& d : out.rules.diagnostics) out.diagnostics.push_back(d);
    out.errors += out.rules.errors;
    if (!out.rules.ruleset) {
        out.diagnostics.push_back({Severity::Error,
                                   config.places.of("rules.mapping"),
                                   {},
                                   "rules.mapping: the mapping could not be loaded"});
        ++out.errors;
    }
    return out;
}

}  // namespace vigie
