// SPDX-License-Identifier: EUPL-1.2
// vigie serve: the configuration read and checked, the signals blocked, then the parts run
// (app/serve_runtime.hpp) until SIGTERM or SIGINT.
#include <csignal>
#include <cstdio>
#include <optional>

#include "app/commands.hpp"
#include "app/config/config_reader.hpp"
#include "app/exit_report.hpp"
#include "app/serve_runtime.hpp"
#include "app/serve_startup.hpp"
#include "core/input_limits.hpp"
#include "pipeline/engine/rule_counts.hpp"

namespace vigie {

namespace {

// The configuration: the file's, or the defaults, with the command line's overrides.
std::optional<ServeConfig> serve_config(const ServeOptions& options) {
    ServeConfig config;
    if (!options.config_file.empty()) {
        Diagnostics diags;
        auto read = load_serve_config(options.config_file, diags);
        print_diagnostics(diags);
        if (!read) return std::nullopt;
        config = std::move(*read);
    }
    if (!options.http_listen.empty()) {
        auto a = parse_listen_address(options.http_listen);
        if (!a) {
            std::fprintf(stderr, "vigie: --http-listen: %s\n", a.error().message.c_str());
            return std::nullopt;
        }
        config.http.listen = *a;
        config.places.keys.erase("http.listen");  // not the file's any more
    }
    if (!options.metrics_listen.empty()) {
        auto a = parse_listen_address(options.metrics_listen);
        if (!a) {
            std::fprintf(stderr, "vigie: --metrics-listen: %s\n", a.error().message.c_str());
            return std::nullopt;
        }
        config.metrics_listen = *a;
        config.places.keys.erase("metrics.listen");
    }
    if (!options.alert_format.empty()) config.alerts_format = options.alert_format;
    return config;
}

// Signals are handled by the io_context's signal_set, in the io threads: blocked here so
// that the other threads started later (workers, NATS, metrics) inherit the mask, and
// unblocked in the io threads only.
sigset_t block_serve_signals() {
    sigset_t mask;
    sigemptyset(&mask);
    for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, s);
    pthread_sigmask(SIG_BLOCK, &mask, nullptr);
    return mask;
}

// The one count of rules /readyz and the metrics also give, and which rules are inactive
// (so that "14 read, 12 in use" is explained, not discovered).
void log_rule_counts(const Ruleset& ruleset, size_t documents, const std::string& mapping,
                     Logger& log) {
    const RuleCounts c = RuleCounts::of(ruleset, documents);
    log.info("rules loaded", {{"summary", c.text()},
                              {"read", c.read},
                              {"in_use", c.in_use},
                              {"inactive", c.inactive},
                              {"refused", c.refused},
                              {"mapping", mapping}});
    for (const auto& r : ruleset.rules()) {
        if (r.active) continue;
        log.info(
            "rule inactive: its logsource's product is not covered by the mapping",
            {{"rule", r.rule.id}, {"product", r.rule.logsource.product}, {"mapping", mapping}});
    }
}

// The checks `vigie config check` runs, each problem logged in the same words; the rules
// they compiled, when there is no error.
bool passes_startup_checks(const ServeConfig& config, Logger& log, LoadedRuleset& loaded) {
    StartupCheck check = check_serve_startup(config);
    for (size_t i = 0; i < check.diagnostics.size(); ++i) {
        const Diagnostic& d = check.diagnostics[i];
        log.log(d.severity == Severity::Error ? LogLevel::Error : LogLevel::Warning,
                i < check.configuration_diagnostics ? "configuration problem" : "rule problem",
                {{"problem", d.format()}});
    }
    if (check.errors > 0) {
        log.error(
            "not starting: the configuration or the rules have errors "
            "(vigie config check FILE lists them)",
            {{"errors", check.errors}});
        return false;
    }
    loaded = std::move(check.rules);
    log_rule_counts(*loaded.ruleset, loaded.documents, config.rules.mapping, log);
    return true;
}

}  // namespace

int run_serve(const ServeOptions& options) {
    auto config = serve_config(options);
    if (!config) return 2;
    // Before any thread starts (the rules compile on several): every walk over untrusted
    // input reads these bounds without a lock.
    configure_input_limits(config->limits);
    Logger log(config->log_format, config->log_level);
    install_exit_report(config->log_format);  // a crash or an uncaught exception says so
    const sigset_t mask = block_serve_signals();
    LoadedRuleset loaded;
    if (!passes_startup_checks(*config, log, loaded)) return 1;
    if (config->agencies.empty())
        log.warn("no agencies configured: every POST /v1/events will be refused (401)");
    ServeRuntime runtime(options, *config, log, loaded);
    if (auto status = runtime.start()) return *status;
    return runtime.serve_until_stopped(mask);
}

}  // namespace vigie
