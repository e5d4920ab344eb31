#include "app/serve_reload.hpp"

#include <utility>

#include "alerts/json_text.hpp"
#include "config/config_reader.hpp"
#include "detector/database_cache.hpp"
#include "serve/rule_counts.hpp"

namespace vigie {

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

ServeReloader::ServeReloader(std::string config_file, ServeConfig current, IngestEngine& engine,
                             AgencyRegistry& agencies, Logger& log)
    : config_file_(std::move(config_file)),
      current_(std::move(current)),
      engine_(engine),
      agencies_(agencies),
      log_(log),
      thread_([this] { run(); }) {}

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
            log_.error("reload refused", {{"error", e.what()}});
            outcome = {false, refused_summary({{Severity::Error, {}, {}, e.what()}})};
        }
        {
            std::lock_guard lock(mutex_);
            ++(outcome.ok ? succeeded_ : refused_);
        }
        if (done) done(std::move(outcome));
    }
}

ReloadOutcome ServeReloader::reload() {
    ServeConfig next = current_;
    if (!config_file_.empty()) {
        Diagnostics diags;
        auto read = load_serve_config(config_file_, diags);
        if (!read) {
            for (const auto& d : diags) log_.error("reload refused", {{"error", d.format()}});
            return {false, refused_summary(diags)};
        }
        next = std::move(*read);
        // The limits are read without a lock by every thread: set once, at start-up.
        if (!(next.limits == current_.limits))
            log_.warn(
                "limits: changed in the configuration file; they apply at the next start, not "
                "on a reload");
        next.limits = current_.limits;
    }
    LoadedRuleset loaded = load_ruleset(rule_options(next.rules));
    if (!loaded.ruleset || loaded.errors > 0) {
        for (const auto& d : loaded.diagnostics)
            if (d.severity == Severity::Error)
                log_.error("reload refused", {{"error", d.format()}});
        Diagnostics diags = loaded.diagnostics;
        if (!loaded.ruleset)
            diags.push_back({Severity::Error, {}, {}, "the mapping could not be loaded"});
        return {false, refused_summary(diags)};
    }
    engine_.replace_ruleset(loaded.ruleset);
    agencies_.replace(next.agencies, next.admin_token_sha256);
    current_ = std::move(next);
    // The rules in use, as /readyz and the start-up log count them.
    const RuleCounts rules = RuleCounts::of(*loaded.ruleset, loaded.documents);
    log_.info("reloaded", {{"rules", rules.in_use},
                           {"rules_inactive", rules.inactive},
                           {"summary", rules.text()},
                           {"agencies", current_.agencies.size()}});
    std::string summary = R"({"reloaded":true,"rules":)" + std::to_string(rules.in_use) +
                          R"(,"rules_inactive":)" + std::to_string(rules.inactive) +
                          R"(,"agencies":)" + std::to_string(current_.agencies.size()) + "}";
    return {true, std::move(summary)};
}

}  // namespace vigie
