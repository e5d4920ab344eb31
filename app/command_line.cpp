// SPDX-License-Identifier: EUPL-1.2
#include "app/command_line.hpp"

#include "core/input_limits.hpp"
#include "detector/database_cache.hpp"
#include "generated/version.hpp"

namespace vigie {

namespace {

void add_rule_options(CLI::App& cmd, RuleLoadOptions& o) {
    cmd.add_option("--mapping", o.mapping,
                   "Field mapping: a built-in name (windows, ecs, flat) or a YAML file")
        ->capture_default_str();
    cmd.add_option("--placeholders", o.placeholders,
                   "YAML file with values for the expand modifier's %placeholders%");
    o.cache_dir = default_cache_dir();
    auto* cache =
        cmd.add_option("--cache-dir", o.cache_dir, "Where compiled Hyperscan databases are cached")
            ->capture_default_str();
    cmd.add_flag_callback(
           "--no-cache", [&o] { o.cache_dir.clear(); }, "Compile without the on-disk cache")
        ->excludes(cache);
}

}  // namespace

CommandLine::CommandLine()
    : app_("vigie: Sigma detection over JSON event streams, compiled to Hyperscan") {
    app_.set_version_flag("--version", std::string("vigie ") + kVersion);
    app_.require_subcommand(1);
    add_scan();
    add_rules();
    add_serve();
    add_config();
    add_stix();
    add_indicators();
}

int CommandLine::run(int argc, char** argv) {
    try {
        app_.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app_.exit(e);
        return code == 0 ? 0 : 2;
    }
    return dispatch();
}

int CommandLine::dispatch() {
    const Commands& c = commands_;
    if (c.scan->parsed()) {
        if (scan_.rules.rule_paths.empty()) scan_.rules.rule_paths.emplace_back("rules");
        return run_scan(scan_);
    }
    if (c.serve->parsed()) return run_serve(serve_);
    if (c.indicators_import->parsed()) return run_indicators_import(indicators_import_);
    if (c.pending->parsed()) return run_rules_pending(pending_);
    if (c.accept->parsed()) return run_rules_accept(accept_);
    if (c.indicators_export->parsed()) return run_indicators_export(indicators_export_);
    if (c.stix_match->parsed()) return run_stix_match(stix_match_);
    if (c.config_check->parsed()) return run_config_check(config_file_);
    return run_rules_check(check_);
}

void CommandLine::add_scan() {
    CLI::App* cmd = app_.add_subcommand(
        "scan", "Match events (NDJSON, concatenated or array JSON) against Sigma rules");
    commands_.scan = cmd;
    // One value per --rules, so that `--rules DIR FILE` leaves FILE as an input.
    cmd->add_option("--rules", scan_.rules.rule_paths, "Rule file or directory (repeatable)")
        ->default_str("rules")
        ->allow_extra_args(false);
    add_rule_options(*cmd, scan_.rules);
    cmd->add_option("--min-level", scan_.min_level, "Lowest rule level to alert on")
        ->capture_default_str();
    cmd->add_option("--format,--alert-format", scan_.format,
                    "Alert format: jsonl (docs/alert.schema.json), ocsf (OCSF Detection "
                    "Finding), table (default: table on a terminal, else jsonl)")
        ->check(CLI::IsMember({"jsonl", "ocsf", "table"}));
    cmd->add_flag("--strict", scan_.strict, "Refuse to scan when any rule has a problem");
    cmd->add_flag("--prefilter,!--no-prefilter", scan_.rules.prefilter,
                  "--prefilter (the default): Hyperscan picks the candidate rules of each "
                  "event; --no-prefilter evaluates every rule on every event (the reference "
                  "the prefilter is tested against; same alerts, slower)");
    cmd->add_option("--max-event-bytes", scan_.max_event_bytes, "Largest accepted document")
        ->capture_default_str();
    cmd->add_option("--max-nesting-depth", scan_.max_nesting_depth,
                    "Deepest nesting of objects and arrays in an event; deeper is rejected")
        ->check(CLI::Range(1U, kMaxNestingDepthSetting))
        ->capture_default_str();
    cmd->add_option("--threads", scan_.threads, "Worker threads (default: one per core)")
        ->check(CLI::Range(1U, 1024U));
    cmd->add_option("--batch-bytes", scan_.batch_bytes, "Bytes read per batch of documents")
        ->check(CLI::Range(size_t{4096}, size_t{1} << 30))
        ->capture_default_str();
    cmd->add_option("--metrics-file", scan_.metrics_file,
                    "Write Prometheus metrics (text format) here at the end");
    cmd->add_option("--indicators", scan_.indicator_files,
                    "STIX 2.1 bundle of threat indicators to match (repeatable)")
        ->allow_extra_args(false);
    cmd->add_option("--indicator-store", scan_.indicator_store,
                    "SQLite indicator store to load and add to (default: in memory)");
    cmd->add_option("inputs", scan_.inputs, "Event files or directories; - for stdin (default)");
}

void CommandLine::add_rules() {
    auto* rules_cmd = app_.add_subcommand("rules", "Work with rule files");
    rules_cmd->require_subcommand(1);
    auto* check_cmd =
        rules_cmd->add_subcommand("check", "Load and compile rules; print every problem");
    check_cmd->add_option("paths", check_.rule_paths, "Rule files or directories")->required();
    add_rule_options(*check_cmd, check_);

    auto* pending_cmd = rules_cmd->add_subcommand(
        "pending", "Sigma rules received from peers (indicators) that wait for review");
    pending_cmd->add_option("--store", pending_.store, "SQLite indicator store")->required();
    pending_cmd->add_option("--rules", pending_.rule_paths, "Local rules (for id clashes)")
        ->capture_default_str();
    auto* accept_cmd =
        rules_cmd->add_subcommand("accept", "Accept a Sigma rule received from a peer");
    accept_cmd->add_option("id", accept_.indicator_id, "The indicator's STIX id")->required();
    accept_cmd->add_option("--store", accept_.store, "SQLite indicator store")->required();
    accept_cmd->add_option("--into", accept_.into, "Where the rule file is written")
        ->capture_default_str();
    accept_cmd->add_option("--rules", accept_.rule_paths, "Local rules (never replaced)")
        ->capture_default_str();
    commands_.check = check_cmd;
    commands_.pending = pending_cmd;
    commands_.accept = accept_cmd;
}

void CommandLine::add_serve() {
    auto* serve_cmd = app_.add_subcommand(
        "serve", "Run as a service: HTTP ingest from agencies, NATS JetStream, metrics");
    serve_cmd->add_option("--config", serve_.config_file,
                          "Configuration file (YAML); without it every setting's default");
    serve_cmd->add_option("--http-listen", serve_.http_listen, "HOST:PORT for HTTP ingest");
    serve_cmd->add_option("--metrics-listen", serve_.metrics_listen, "HOST:PORT for GET /metrics");
    serve_cmd
        ->add_option("--alert-format", serve_.alert_format,
                     "Alert format of every output: jsonl (docs/alert.schema.json), ocsf "
                     "(OCSF Detection Finding) or table; overrides alerts.format")
        ->check(CLI::IsMember({"jsonl", "ocsf", "table"}));
    commands_.serve = serve_cmd;
}

void CommandLine::add_config() {
    auto* config_cmd = app_.add_subcommand("config", "Work with vigie serve configuration files");
    config_cmd->require_subcommand(1);
    auto* config_check_cmd = config_cmd->add_subcommand(
        "check", "Validate a configuration file; print every error with file:line:col");
    config_check_cmd->add_option("file", config_file_, "Configuration file (YAML)")->required();
    commands_.config_check = config_check_cmd;
}

void CommandLine::add_stix() {
    auto* stix_cmd = app_.add_subcommand("stix", "Work with STIX 2.1 content");
    stix_cmd->require_subcommand(1);
    auto* stix_match_cmd = stix_cmd->add_subcommand(
        "match", "Evaluate a STIX 2.1 pattern against the observed-data of bundle files");
    stix_match_cmd->add_option("--pattern", stix_match_.pattern, "STIX 2.1 pattern")->required();
    stix_match_cmd->add_option("files", stix_match_.files, "Bundles or JSON arrays of objects")
        ->required();
    commands_.stix_match = stix_match_cmd;
}

void CommandLine::add_indicators() {
    auto* ind_cmd = app_.add_subcommand("indicators", "Work with the threat-indicator store");
    ind_cmd->require_subcommand(1);
    auto* ind_import_cmd = ind_cmd->add_subcommand(
        "import", "Import STIX 2.1 bundles and MISP feeds into a store; print every problem");
    ind_import_cmd->add_option("--store", indicators_import_.store, "SQLite indicator store")
        ->required();
    ind_import_cmd->add_option("--stix", indicators_import_.bundles,
                               "STIX 2.1 bundle file (repeatable)");
    ind_import_cmd->add_option(
        "--misp", indicators_import_.misp_feeds,
        "MISP feed: a directory with manifest.json, or its URL (repeatable)");
    ind_import_cmd
        ->add_option(
            "--default-tlp", indicators_import_.default_tlp,
            "TLP of objects without a TLP marking (clear, green, amber, amber+strict, red)")
        ->capture_default_str();
    auto* ind_export_cmd = ind_cmd->add_subcommand(
        "export", "Write the store's indicators that may leave the organisation as a STIX bundle");
    ind_export_cmd->add_option("--store", indicators_export_.store, "SQLite indicator store")
        ->required();
    ind_export_cmd->add_flag(
        "--amber", indicators_export_.amber,
        "The receiver is cleared for TLP:AMBER (AMBER+STRICT and RED never leave)");
    commands_.indicators_import = ind_import_cmd;
    commands_.indicators_export = ind_export_cmd;
}

}  // namespace vigie
