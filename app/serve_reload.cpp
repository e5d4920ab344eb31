// SPDX-License-Identifier: EUPL-1.2
#include "app/serve_reload.hpp"

#include <algorithm>
#include <utility>

#include "app/serve_startup.hpp"
#include "core/json_text.hpp"
#include "detector/database_cache.hpp"
#include "pipeline/engine/rule_counts.hpp"
#include "service/http/tls_context.hpp"

namespace vigie {

namespace {

std::string json_names(const std::vector<std::string>& names) {
    std::string out = "[";
    for (const auto& n : names) {
        if (out.size() > 1) out += ',';
        append_json_string(out, n);
    }
    return out + "]";
}

// The applied settings `restart` picks named restart_required instead.
template <class Pick>
void move_to_restart(SettingChanges& changes, Pick restart) {
    auto& applied = changes.applied;
    for (auto it = applied.begin(); it != applied.end();) {
        if (restart(*it)) {
            changes.restart_required.push_back(std::move(*it));
            it = applied.erase(it);
        } else {
            ++it;
        }
    }
    std::sort(changes.restart_required.begin(), changes.restart_required.end());
}

// The filters of outputs that are not running (added or renamed) wait for the restart
// that starts those outputs.
void filters_need_restart(SettingChanges& changes, const std::vector<size_t>& outputs) {
    move_to_restart(changes, [&](const std::string& key) {
        const auto index = output_filter_index(key);
        return index && std::find(outputs.begin(), outputs.end(), *index) != outputs.end();
    });
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

}  // namespace

RuleLoadOptions rule_options(const RuleSettings& rules) {
    RuleLoadOptions o;
    o.rule_paths = rules.paths;
    o.mapping = rules.mapping;
    o.placeholders = rules.placeholders;
    o.cache_dir = rules.cache_dir.empty() ? default_cache_dir() : rules.cache_dir;
    return o;
}

std::string refused_summary(const Diagnostics& diags) {
    std::string out = R"({"reloaded":false,"errors":[)";
    bool first = true;
    for (const auto& d : diags) {
        if (d.severity != Severity::Error) continue;
        if (!first) out += ',';
        first = false;
        append_json_string(out, d.format());
    }
    out += "]}";
    return out;
}

LiveSettings live_settings(const ServeConfig& running, const ServeConfig& next,
                           std::shared_ptr<const Ruleset> ruleset) {
    HttpSettings http = running.http;  // listen, threads, whether TLS is on: as started
    http.max_body_bytes = next.http.max_body_bytes;
    http.max_event_bytes = next.http.max_event_bytes;
    http.max_connections = next.http.max_connections;
    http.read_timeout_seconds = next.http.read_timeout_seconds;
    http.header_timeout_seconds = next.http.header_timeout_seconds;
    http.idle_timeout_seconds = next.http.idle_timeout_seconds;
    if (running.http.tls.enabled && next.http.tls.enabled) http.tls = next.http.tls;
    LiveSettings live{http,
                      std::make_shared<const AgencyTable>(next.agencies, next.admin_token_sha256),
                      std::move(ruleset)};
    // The files are read again even under the same names: a certificate renewed in place.
    if (http.tls.enabled) live.tls = make_tls_context(http.tls);
    return live;
}

ServeReloader::ServeReloader(std::string config_file, ServeConfig running, ReloadTargets targets)
    : config_file_(std::move(config_file)), running_(std::move(running)), targets_(targets) {
    if (!config_file_.empty()) {
        Diagnostics ignored;  // read a moment ago by start-up, which reported its problems
        (void)load_serve_config(config_file_, ignored, started_);
        applied_ = started_;
    }
    thread_ = std::thread([this] { run(); });
}

ServeReloader::~ServeReloader() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void ServeReloader::request(std::function<void(ReloadOutcome&&)> done) {
    {
        std::lock_guard lock(mutex_);
        pending_.push_back(std::move(done));
    }
    wake_.notify_one();
}

uint64_t ServeReloader::succeeded() const {
    std::lock_guard lock(mutex_);
    return succeeded_;
}

uint64_t ServeReloader::refused() const {
    std::lock_guard lock(mutex_);
    return refused_;
}

void ServeReloader::run() {
    for (;;) {
        std::function<void(ReloadOutcome &&)> done;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
            if (pending_.empty()) return;
            done = std::move(pending_.front());
            pending_.pop_front();
        }
        ReloadOutcome outcome;
        try {
            outcome = reload();
        } catch (const std::exception& e) {  // Hyperscan refusing the ruleset, out of memory
            outcome = refuse({{Severity::Error, {}, {}, e.what()}});
        }
        {
            std::lock_guard lock(mutex_);
            ++(outcome.ok ? succeeded_ : refused_);
        }
        if (done) done(std::move(outcome));
    }
}

ReloadOutcome ServeReloader::refuse(const Diagnostics& diags) {
    for (const auto& d : diags)
        if (d.severity == Severity::Error)
            targets_.log.error("reload refused", {{"error", d.format()}});
    return {false, refused_summary(diags)};
}

// Validate all (as start-up does), then apply the live settings in one swap, then say
// what changed and what waits for a restart.
ReloadOutcome ServeReloader::reload() {
    ServeConfig next = running_;
    FlatSettings flat;
    if (!config_file_.empty()) {
        Diagnostics diags;
        auto read = load_serve_config(config_file_, diags, flat);
        if (!read) return refuse(diags);
        next = std::move(*read);
    }
    StartupCheck check = check_serve_startup(next);
    if (check.errors > 0) return refuse(check.diagnostics);
    for (const auto& d : check.diagnostics)
        targets_.log.warn("reload: configuration warning", {{"problem", d.format()}});
    SettingChanges changes =
        config_file_.empty() ? SettingChanges{} : compare_settings(applied_, started_, flat);
    // http.tls.* are live only over TLS on before and after: otherwise (turning it on or
    // off needs a restart) naming them applied would lie.
    if (!running_.http.tls.enabled || !next.http.tls.enabled)
        move_to_restart(changes,
                        [](const std::string& key) { return key.starts_with("http.tls."); });
    filters_need_restart(changes, apply(next, check.rules));
    applied_ = settings_in_force(applied_, flat, changes.restart_required);
    const RuleCounts rules = RuleCounts::of(*check.rules.ruleset, check.rules.documents);
    const size_t agencies = running_.agencies.size();
    targets_.log.info("reloaded", {{"rules", rules.in_use},
                                   {"rules_inactive", rules.inactive},
                                   {"summary", rules.text()},
                                   {"agencies", agencies},
                                   {"applied", joined(changes.applied)}});
    if (!changes.restart_required.empty())
        targets_.log.warn("reload: changed settings that apply only after a restart (not applied)",
                          {{"restart_required", joined(changes.restart_required)}});
    targets_.log.set_level(next.log_level);  // last: the reload's own lines are always written
    std::string summary = R"({"reloaded":true,"rules":)" + std::to_string(rules.in_use) +
                          R"(,"rules_inactive":)" + std::to_string(rules.inactive) +
                          R"(,"agencies":)" + std::to_string(agencies) + R"(,"applied":)" +
                          json_names(changes.applied) + R"(,"restart_required":)" +
                          json_names(changes.restart_required) + "}";
    return {true, std::move(summary)};
}

// The one swap first: from it on, new requests see every new live setting at once; then
// the engine's and the registry's copies for the inputs without a snapshot (NATS).
// log.level is set by the caller, once this reload is logged.
std::vector<size_t> ServeReloader::apply(const ServeConfig& next, const LoadedRuleset& loaded) {
    LiveSettings live = live_settings(running_, next, loaded.ruleset);
    std::shared_ptr<const AgencyTable> table = live.agencies;
    const uint64_t max_event_bytes = live.http.max_event_bytes;
    targets_.live.publish(std::move(live));
    targets_.engine.replace_ruleset(loaded.ruleset);
    targets_.engine.set_max_event_bytes(max_event_bytes);
    targets_.agencies.replace(std::move(table));
    targets_.alerts.apply_suppression(next.suppression);
    running_.suppression = next.suppression;
    std::vector<size_t> not_running = targets_.alerts.apply_filters(effective_outputs(next));
    running_.http = targets_.live.current()->http;
    running_.agencies = next.agencies;
    running_.admin_token_sha256 = next.admin_token_sha256;
    running_.rules = next.rules;
    running_.log_level = next.log_level;
    return not_running;
}

}  // namespace vigie
