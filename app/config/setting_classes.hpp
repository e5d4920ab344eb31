// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Which settings of `vigie serve` a reload (SIGHUP, POST /v1/admin/reload) applies while
// it runs, and which only a restart applies; and what changed between two readings of
// the configuration file, setting by setting ("http.max_body_bytes",
// "alerts.outputs[1].min_level").
//
// Live: http.max_body_bytes, http.max_event_bytes, http.max_connections, the three
// http.*_timeout_seconds, http.tls certificate, private_key and client_ca (while TLS is
// on; the files are re-read by every reload), agencies (tokens, rate limits),
// admin.token_sha256, rules.* (paths, mapping, placeholders, cache_dir),
// alerts.suppression.*, each output's filter (alerts.outputs[i].min_level, agencies,
// tags, exclude_rules, tlp_amber, inside_organisation: given to the running output of
// that name) and log.level. Every other setting is read by something built
// once at start-up (a bound socket, whether TLS is on, thread pools, the spool, the
// outputs and their connections, the NATS consumer, the TAXII store, the federation
// pollers, the process-wide `limits:` every parser reads without a lock) and is named as
// needing a restart. Which is which is a column of the reader's tables (keys::live in
// app/config/*_sections.cpp): a new setting is restart-only unless its row says live.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/config/serve_config.hpp"
#include "core/diagnostic.hpp"

namespace vigie {

// Every value the file sets, by key path; lists by index ("nats.servers[1]"). Keys left
// empty (null) are left out: they mean the default, as a missing key does.
using FlatSettings = std::map<std::string, std::string>;

// Whether a reload applies the setting at `key` (a FlatSettings key) at once: its row, or
// a row above it, is live in the reader's tables.
bool applies_live(std::string_view key);
// The output index of a key that is one of an output's filter settings
// ("alerts.outputs[2].min_level" -> 2: min_level, agencies, tags, exclude_rules, tlp_amber,
// inside_organisation); nullopt for any other key.
std::optional<size_t> output_filter_index(std::string_view key);

struct SettingChanges {
    std::vector<std::string> applied;           // live settings that changed
    std::vector<std::string> restart_required;  // other settings that changed
};

// `next` against the settings in use: live ones against `applied` (the last file applied),
// the others against `started` (the file the process started with, as a restart is what
// applies them; a second reload names them again). Names are sorted, each once; a list of
// plain values is named as a whole ("nats.servers").
SettingChanges compare_settings(const FlatSettings& applied, const FlatSettings& started,
                                const FlatSettings& next);

// What is in force after a reload of `next` over `before`: `next`, except the settings
// named in `not_applied` (as compare_settings names them), which keep their `before` value,
// so that the next reload names them again.
FlatSettings settings_in_force(const FlatSettings& before, const FlatSettings& next,
                               const std::vector<std::string>& not_applied);

// load_serve_config, and the same text's settings in `flat` (the one reading of the file).
std::optional<ServeConfig> load_serve_config(const std::string& path, Diagnostics& diags,
                                             FlatSettings& flat);

}  // namespace vigie
