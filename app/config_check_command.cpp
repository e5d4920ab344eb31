// SPDX-License-Identifier: EUPL-1.2
// vigie config check FILE: "valid" means vigie serve starts with FILE (from this working
// directory, whose relative paths it resolves the same way): the same reading, the same
// start-up checks (app/serve_startup.hpp), the same rules compiled under the same limits.
#include <algorithm>
#include <cstdio>

#include "app/commands.hpp"
#include "app/config/config_reader.hpp"
#include "app/serve_startup.hpp"
#include "core/input_limits.hpp"
#include "pipeline/engine/rule_counts.hpp"
#include "service/nats/stream_config_check.hpp"

namespace vigie {

int run_config_check(const std::string& path) {
    Diagnostics diags;
    const auto config = load_serve_config(path, diags);
    print_diagnostics(diags);
    if (!config) {
        std::fprintf(stderr, "%s: not valid\n", path.c_str());
        return 1;
    }
    configure_input_limits(config->limits);
    const StartupCheck check = check_serve_startup(*config);
    print_diagnostics(check.diagnostics);
    if (check.errors > 0) {
        std::fprintf(stderr, "%s: not valid: vigie serve would refuse it (%zu errors)\n",
                     path.c_str(), check.errors);
        return 1;
    }
    auto warnings =
        std::count_if(check.diagnostics.begin(), check.diagnostics.end(),
                      [](const Diagnostic& d) { return d.severity == Severity::Warning; });
    if (config->nats.enabled) {  // the stream as the server holds it: warnings, never errors
        const StreamCheckOutcome stream = check_stream_settings(config->nats, config->places);
        print_diagnostics(stream.diagnostics);
        if (!stream.note.empty())
            std::fprintf(stderr, "%s: note: %s\n", path.c_str(), stream.note.c_str());
        warnings += static_cast<decltype(warnings)>(stream.diagnostics.size());
    }
    const RuleCounts rules = RuleCounts::of(*check.rules.ruleset, check.rules.documents);
    std::printf(
        "%s: valid; http %s%s, metrics %s, %zu agencies, nats %s, admin API %s; %s; %zu "
        "warnings\n",
        path.c_str(), config->http.listen.to_string().c_str(),
        config->http.tls.enabled ? " (TLS)" : "", config->metrics_listen.to_string().c_str(),
        config->agencies.size(), config->nats.enabled ? "on" : "off",
        config->admin_token_sha256.empty() ? "off" : "on", rules.text().c_str(),
        static_cast<size_t>(warnings));
    return 0;
}

}  // namespace vigie
