// SPDX-License-Identifier: EUPL-1.2
#include "app/config/config_reader.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "app/config/sections.hpp"
#include "app/config/yaml_guard.hpp"
#include "core/input_limits.hpp"

namespace vigie {

namespace {

SourceLocation location(const std::string& origin, const YAML::Mark& mark) {
    return {origin, static_cast<uint32_t>(mark.line + 1), static_cast<uint32_t>(mark.column + 1)};
}

// The document of `source`, or nullopt with the error in `diags`. The bounds first, on
// the parser's events: a file nested deeper than the limit or expanding past it through
// aliases is refused before any tree is built from it.
std::optional<YAML::Node> parse(const std::string& origin, const std::string& source,
                                Diagnostics& diags) {
    try {
        const InputLimits& limits = input_limits();
        if (Status bounds = check_yaml_bounds_on_events(source, limits.max_nesting_depth,
                                                        limits.max_rule_nodes);
            !bounds) {
            SourceLocation where = bounds.error().where;
            where.file = origin;
            diags.push_back({Severity::Error, where, {}, bounds.error().message});
            return std::nullopt;
        }
        return YAML::Load(source);
    } catch (const YAML::DeepRecursion& e) {  // yaml-cpp's own bound, past 2000 levels
        diags.push_back(
            {Severity::Error,
             location(origin, e.mark),
             {},
             "the configuration is nested deeper than " + std::to_string(e.depth()) + " levels"});
    } catch (const YAML::Exception& e) {
        diags.push_back({Severity::Error, location(origin, e.mark), {}, e.msg});
    }
    return std::nullopt;
}

}  // namespace

std::optional<ServeConfig> ConfigReader::read(const std::string& source) {
    const auto root = parse(origin_, source, diags_);
    if (!root) return std::nullopt;
    ServeConfig config;
    config.places.origin = origin_;
    SchemaReader reader(origin_, diags_, &config.places);
    serve_schema().read(reader, *root, "", config);
    if (reader.errors() > 0) return std::nullopt;
    return config;
}

std::optional<std::string> read_config_file(const std::string& path, Diagnostics& diags) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        diags.push_back({Severity::Error, {path, 0, 0}, {}, "cannot read the configuration file"});
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::optional<ServeConfig> load_serve_config(const std::string& path, Diagnostics& diags) {
    auto text = read_config_file(path, diags);
    if (!text) return std::nullopt;
    return ConfigReader(path, diags).read(*text);
}

}  // namespace vigie
