// vigie: wires the command line to the libraries; no logic of its own.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "app/commands.hpp"
#include "app/indicator_commands.hpp"
#include "app/sigma_indicators.hpp"
#include "app/stix_commands.hpp"
#include "core/input_limits.hpp"
#include "detector/database_cache.hpp"
#include "generated/version.hpp"

namespace {

void add_rule_options(CLI::App& cmd, vigie::RuleLoadOptions& o) {
    cmd.add_option("--mapping", o.mapping,
                   "Field mapping: a built-in name (windows, ecs, flat) or a YAML file")
        ->capture_default_str();
    cmd.add_option("--placeholders", o.placeholders,
                   "YAML file with values for the expand modifier's %placeholders%");
    o.cache_dir = vigie::default_cache_dir();
    auto* cache =
        cmd.add_option("--cache-dir", o.cache_dir, "Where compiled Hyperscan databases are cached")
            ->capture_default_str();
    cmd.add_flag_callback(
           "--no-cache", [&o] { o.cache_dir.clear(); }, "Compile without the on-disk cache")
        ->excludes(cache);
}

int run(int argc, char** argv) {
    CLI::App app{"vigie: Sigma detection over JSON event streams, compiled to Hyperscan"};
    app.set_version_flag("--version", std::string("vigie ") + vigie::kVersion);
    app.require_subcommand(1);

    vigie::ScanOptions scan;
    auto* scan_cmd = app.add_subcommand(
        "scan", "Match events (NDJSON, concatenated or array JSON) against Sigma rules");
    // One value per --rules, so that `--rules DIR FILE` leaves FILE as an input.
    scan_cmd->add_option("--rules", scan.rules.rule_paths, "Rule file or directory (repeatable)")
        ->default_str("rules")
        ->allow_extra_args(false);
    add_rule_options(*scan_cmd, scan.rules);
    scan_cmd->add_option("--min-level", scan.min_level, "Lowest rule level to alert on")
        ->capture_default_str();
    scan_cmd
        ->add_option("--format,--alert-format", scan.format,
                     "Alert format: jsonl (docs/alert.schema.json), ocsf (OCSF Detection "
                     "Finding), table (default: table on a terminal, else jsonl)")
        ->check(CLI::IsMember({"jsonl", "ocsf", "table"}));
    scan_cmd->add_flag("--strict", scan.strict, "Refuse to scan when any rule has a problem");
    scan_cmd->add_flag("--prefilter,!--no-prefilter", scan.rules.prefilter,
                       "--prefilter (the default): Hyperscan picks the candidate rules of each "
                       "event; --no-prefilter evaluates every rule on every event (the reference "
                       "the prefilter is tested against; same alerts, slower)");
    scan_cmd->add_option("--max-event-bytes", scan.max_event_bytes, "Largest accepted document")
        ->capture_default_str();
    scan_cmd
        ->add_option("--max-nesting-depth", scan.max_nesting_depth,
                     "Deepest nesting of objects and arrays in an event; deeper is rejected")
        ->check(CLI::Range(1U, vigie::kMaxNestingDepthSetting))
        ->capture_default_str();
    scan_cmd->add_option("--threads", scan.threads, "Worker threads (default: one per core)")
        ->check(CLI::Range(1U, 1024U));
    scan_cmd->add_option("--batch-bytes", scan.batch_bytes, "Bytes read per batch of documents")
        ->check(CLI::Range(size_t{4096}, size_t{1} << 30))
        ->capture_default_str();
    scan_cmd->add_option("--metrics-file", scan.metrics_file,
                         "Write Prometheus metrics (text format) here at the end");
    scan_cmd
        ->add_option("--indicators", scan.indicator_files,
                     "STIX 2.1 bundle of threat indicators to match (repeatable)")
        ->allow_extra_args(false);
    scan_cmd->add_option("--indicator-store", scan.indicator_store,
                         "SQLite indicator store to load and add to (default: in memory)");
    scan_cmd->add_option("inputs", scan.inputs,
                         "Event files or directories; - for stdin (default)");

    vigie::RuleLoadOptions check;
    auto* rules_cmd = app.add_subcommand("rules", "Work with rule files");
    rules_cmd->require_subcommand(1);
    auto* check_cmd =
        rules_cmd->add_subcommand("check", "Load and compile rules; print every problem");
    check_cmd->add_option("paths", check.rule_paths, "Rule files or directories")->required();
    add_rule_options(*check_cmd, check);

    vigie::RulesPendingOptions pending;
    auto* pending_cmd = rules_cmd->add_subcommand(
        "pending", "Sigma rules received from peers (indicators) that wait for review");
    pending_cmd->add_option("--store", pending.store, "SQLite indicator store")->required();
    pending_cmd->add_option("--rules", pending.rule_paths, "Local rules (for id clashes)")
        ->capture_default_str();
    vigie::RulesAcceptOptions accept;
    auto* accept_cmd =
        rules_cmd->add_subcommand("accept", "Accept a Sigma rule received from a peer");
    accept_cmd->add_option("id", accept.indicator_id, "The indicator's STIX id")->required();
    accept_cmd->add_option("--store", accept.store, "SQLite indicator store")->required();
    accept_cmd->add_option("--into", accept.into, "Where the rule file is written")
        ->capture_default_str();
    accept_cmd->add_option("--rules", accept.rule_paths, "Local rules (never replaced)")
        ->capture_default_str();

    vigie::ServeOptions serve;
    auto* serve_cmd = app.add_subcommand(
        "serve", "Run as a service: HTTP ingest from agencies, NATS JetStream, metrics");
    serve_cmd->add_option("--config", serve.config_file,
                          "Configuration file (YAML); without it every setting's default");
    serve_cmd->add_option("--http-listen", serve.http_listen, "HOST:PORT for HTTP ingest");
    serve_cmd->add_option("--metrics-listen", serve.metrics_listen, "HOST:PORT for GET /metrics");
    serve_cmd
        ->add_option("--alert-format", serve.alert_format,
                     "Alert format of every output: jsonl (docs/alert.schema.json), ocsf "
                     "(OCSF Detection Finding) or table; overrides alerts.format")
        ->check(CLI::IsMember({"jsonl", "ocsf", "table"}));

    std::string config_file;
    auto* config_cmd = app.add_subcommand("config", "Work with vigie serve configuration files");
    config_cmd->require_subcommand(1);
    auto* config_check_cmd = config_cmd->add_subcommand(
        "check", "Validate a configuration file; print every error with file:line:col");
    config_check_cmd->add_option("file", config_file, "Configuration file (YAML)")->required();

    vigie::StixMatchOptions stix_match;
    auto* stix_cmd = app.add_subcommand("stix", "Work with STIX 2.1 content");
    stix_cmd->require_subcommand(1);
    auto* stix_match_cmd = stix_cmd->add_subcommand(
        "match", "Evaluate a STIX 2.1 pattern against the observed-data of bundle files");
    stix_match_cmd->add_option("--pattern", stix_match.pattern, "STIX 2.1 pattern")->required();
    stix_match_cmd->add_option("files", stix_match.files, "Bundles or JSON arrays of objects")
        ->required();

    vigie::IndicatorImportOptions ind_import;
    vigie::IndicatorExportOptions ind_export;
    auto* ind_cmd = app.add_subcommand("indicators", "Work with the threat-indicator store");
    ind_cmd->require_subcommand(1);
    auto* ind_import_cmd = ind_cmd->add_subcommand(
        "import", "Import STIX 2.1 bundles and MISP feeds into a store; print every problem");
    ind_import_cmd->add_option("--store", ind_import.store, "SQLite indicator store")->required();
    ind_import_cmd->add_option("--stix", ind_import.bundles, "STIX 2.1 bundle file (repeatable)");
    ind_import_cmd->add_option(
        "--misp", ind_import.misp_feeds,
        "MISP feed: a directory with manifest.json, or its URL (repeatable)");
    ind_import_cmd
        ->add_option(
            "--default-tlp", ind_import.default_tlp,
            "TLP of objects without a TLP marking (clear, green, amber, amber+strict, red)")
        ->capture_default_str();
    auto* ind_export_cmd = ind_cmd->add_subcommand(
        "export", "Write the store's indicators that may leave the organisation as a STIX bundle");
    ind_export_cmd->add_option("--store", ind_export.store, "SQLite indicator store")->required();
    ind_export_cmd->add_flag(
        "--amber", ind_export.amber,
        "The receiver is cleared for TLP:AMBER (AMBER+STRICT and RED never leave)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    if (scan_cmd->parsed()) {
        if (scan.rules.rule_paths.empty()) scan.rules.rule_paths.emplace_back("rules");
        return vigie::run_scan(scan);
    }
    if (serve_cmd->parsed()) return vigie::run_serve(serve);
    if (ind_import_cmd->parsed()) return vigie::run_indicators_import(ind_import);
    if (pending_cmd->parsed()) return vigie::run_rules_pending(pending);
    if (accept_cmd->parsed()) return vigie::run_rules_accept(accept);
    if (ind_export_cmd->parsed()) return vigie::run_indicators_export(ind_export);
    if (stix_match_cmd->parsed()) return vigie::run_stix_match(stix_match);
    if (config_check_cmd->parsed()) return vigie::run_config_check(config_file);
    return vigie::run_rules_check(check);
}

}  // namespace

// Errors in users' input are reported as values; an exception reaching here is a
// start-up failure (out of memory, Hyperscan refusing the whole ruleset).
int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vigie: fatal: %s\n", e.what());
    } catch (...) {
        std::fprintf(stderr, "vigie: fatal: unknown error\n");
    }
    return 1;
}
