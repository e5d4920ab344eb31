// SPDX-License-Identifier: EUPL-1.2
#include "app/config/setting_classes.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "app/config/config_reader.hpp"
#include "app/config/sections.hpp"

namespace vigie {

namespace {

void flatten(const YAML::Node& node, const std::string& key, FlatSettings& out) {
    if (node.IsMap()) {
        for (const auto& entry : node)
            flatten(entry.second,
                    key.empty() ? entry.first.Scalar() : key + "." + entry.first.Scalar(), out);
    } else if (node.IsSequence()) {
        size_t i = 0;
        for (const auto& item : node) flatten(item, key + "[" + std::to_string(i++) + "]", out);
    } else if (node.IsScalar()) {
        out[key] = node.Scalar();
    }
}

// "nats.servers[1]" -> "nats.servers": an element of a list of plain values names its list.
std::string setting_name(const std::string& key) {
    if (key.empty() || key.back() != ']') return key;
    return key.substr(0, key.rfind('['));
}

// The keys whose values differ between `a` and `b` (set in one only, or to another value).
std::set<std::string> differing(const FlatSettings& a, const FlatSettings& b) {
    std::set<std::string> out;
    for (const auto& [key, value] : a)
        if (auto it = b.find(key); it == b.end() || it->second != value) out.insert(key);
    for (const auto& [key, value] : b)
        if (!a.contains(key)) out.insert(key);
    return out;
}

}  // namespace

std::optional<size_t> output_filter_index(std::string_view key) {
    constexpr std::string_view kOutputs = "alerts.outputs[";
    // Within an output, only its filter's keys are live (alerts_sections.cpp).
    if (!key.starts_with(kOutputs) || !applies_live(key)) return std::nullopt;
    size_t index = 0;
    const std::string_view digits = key.substr(kOutputs.size());
    std::from_chars(digits.data(), digits.data() + digits.size(), index);
    return index;
}

bool applies_live(std::string_view key) {
    return serve_schema().applies_live(key);
}

SettingChanges compare_settings(const FlatSettings& applied, const FlatSettings& started,
                                const FlatSettings& next) {
    std::set<std::string> live;
    std::set<std::string> restart;
    for (const auto& key : differing(applied, next))
        if (applies_live(key)) live.insert(setting_name(key));
    for (const auto& key : differing(started, next))
        if (!applies_live(key)) restart.insert(setting_name(key));
    return {{live.begin(), live.end()}, {restart.begin(), restart.end()}};
}

FlatSettings settings_in_force(const FlatSettings& before, const FlatSettings& next,
                               const std::vector<std::string>& not_applied) {
    FlatSettings out = next;
    auto named = [&](const std::string& key) {
        return std::find(not_applied.begin(), not_applied.end(), setting_name(key)) !=
               not_applied.end();
    };
    std::erase_if(out, [&](const auto& entry) { return named(entry.first); });
    for (const auto& [key, value] : before)
        if (named(key)) out[key] = value;
    return out;
}

std::optional<ServeConfig> load_serve_config(const std::string& path, Diagnostics& diags,
                                             FlatSettings& flat) {
    auto text = read_config_file(path, diags);
    if (!text) return std::nullopt;
    auto config = ConfigReader(path, diags).read(*text);
    // Only once the reader accepted it: it was parsed under the nesting and alias bounds.
    if (config) flatten(YAML::Load(*text), "", flat);
    return config;
}

}  // namespace vigie
