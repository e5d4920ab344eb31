// SPDX-License-Identifier: EUPL-1.2
#include "app/config/schema.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>

#include "core/token_digest.hpp"

namespace vigie {

namespace {

SourceLocation location(const std::string& origin, const YAML::Mark& mark) {
    return {origin, static_cast<uint32_t>(mark.line + 1), static_cast<uint32_t>(mark.column + 1)};
}

std::string join(const std::vector<std::string_view>& words) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty()) out += ", ";
        out += w;
    }
    return out;
}

// "[12]" at the front of `key`: what follows it, or nullopt when it is not an index.
std::optional<std::string_view> after_index(std::string_view key) {
    const size_t close = key.find(']');
    if (key.empty() || key.front() != '[' || close == std::string_view::npos || close == 1)
        return std::nullopt;
    const std::string_view digits = key.substr(1, close - 1);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return key.substr(close + 1);
}

}  // namespace

bool SchemaShape::applies_live(std::string_view key) const {
    const size_t end = key.find_first_of(".[");
    const auto it = std::find(names_.begin(), names_.end(), key.substr(0, end));
    if (it == names_.end()) return false;
    const Entry& entry = entries_[static_cast<size_t>(it - names_.begin())];
    if (entry.live) return true;
    if (entry.shape == nullptr || end == std::string_view::npos) return false;
    std::optional<std::string_view> rest = key.substr(end);
    if (entry.list) rest = after_index(*rest);
    if (!rest || rest->size() < 2 || rest->front() != '.') return false;
    return entry.shape->applies_live(rest->substr(1));
}

void SchemaReader::error(const YAML::Node& at, std::string message) {
    diags_.push_back({Severity::Error, location(origin_, at.Mark()), {}, std::move(message)});
    ++errors_;
}

void SchemaReader::error_in_file(std::string message) {
    diags_.push_back({Severity::Error, {origin_, 0, 0}, {}, std::move(message)});
    ++errors_;
}

void SchemaReader::each_key(const YAML::Node& map, const std::string& path,
                            const std::vector<std::string_view>& names, const Visit& visit) {
    if (map.IsNull()) return;  // "http:" with nothing under it: the defaults
    if (!map.IsMap()) {
        error(map, (path.empty() ? std::string("the configuration") : path) +
                       " must be a mapping of settings");
        return;
    }
    std::set<std::string> seen;
    for (const auto& entry : map) {
        const std::string key = entry.first.Scalar();
        std::string full = path;
        if (!full.empty()) full += '.';
        full += key;
        if (places_ != nullptr) places_->keys.emplace(full, location(origin_, entry.first.Mark()));
        if (!seen.insert(key).second) {  // yaml-cpp would keep the last one silently
            error(entry.first, "setting " + full + " is given twice");
            continue;
        }
        const auto it = std::find(names.begin(), names.end(), key);
        if (it == names.end()) {
            error(entry.first, "unknown setting " + full + " (known here: " + join(names) + ")");
            continue;
        }
        visit(static_cast<size_t>(it - names.begin()), entry.second, full);
    }
}

bool SchemaReader::each_item(const YAML::Node& list, const std::string& path,
                             const ListRules& rules, const Item& item) {
    if (rules.null_is_empty && list.IsNull()) return true;
    if (!list.IsSequence() || (rules.refuse_empty && list.size() == 0)) {
        error(list, path + " must be " + rules.expected);
        return false;
    }
    size_t index = 0;
    for (const auto& element : list) item(element, path + "[" + std::to_string(index++) + "]");
    return true;
}

std::optional<std::string> SchemaReader::scalar(const YAML::Node& n) {
    if (!n.IsScalar()) return std::nullopt;
    return n.Scalar();
}

bool SchemaReader::is_null(const YAML::Node& n) {
    return n.IsNull();
}

std::optional<std::string> SchemaReader::text(const YAML::Node& n, const std::string& path) {
    if (n.IsNull()) return std::string();
    if (n.IsScalar()) return n.Scalar();
    error(n, path + " must be a string");
    return std::nullopt;
}

std::optional<bool> SchemaReader::flag(const YAML::Node& n, const std::string& path) {
    if (!n.IsScalar() || (n.Scalar() != "true" && n.Scalar() != "false")) {
        error(n, path + " must be true or false");
        return std::nullopt;
    }
    return n.Scalar() == "true";
}

std::optional<uint64_t> SchemaReader::number(const YAML::Node& n, const std::string& path,
                                             uint64_t min, uint64_t max) {
    uint64_t v = 0;
    const std::string t = n.IsScalar() ? n.Scalar() : std::string();
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v, 10);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || v < min || v > max) {
        error(n, path + " must be a whole number from " + std::to_string(min) + " to " +
                     std::to_string(max));
        return std::nullopt;
    }
    return v;
}

std::optional<double> SchemaReader::rate(const YAML::Node& n, const std::string& path, double min,
                                         const char* expected) {
    double v = 0;
    if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !(v >= min) || v > 1e12) {
        error(n, path + " must be " + expected);
        return std::nullopt;
    }
    return v;
}

std::optional<ListenAddress> SchemaReader::listen(const YAML::Node& n, const std::string& path) {
    if (!n.IsScalar()) {
        error(n, path + " must be HOST:PORT");
        return std::nullopt;
    }
    Result<ListenAddress> address = parse_listen_address(n.Scalar());
    if (!address) {
        error(n, path + ": " + address.error().message);
        return std::nullopt;
    }
    return std::move(address).value();
}

std::optional<std::vector<std::string>> SchemaReader::texts(const YAML::Node& n,
                                                            const std::string& path,
                                                            bool allow_empty) {
    if (n.IsScalar()) return std::vector<std::string>{n.Scalar()};
    if (allow_empty && n.IsSequence() && n.size() == 0) return std::vector<std::string>{};
    if (!n.IsSequence() || n.size() == 0) {
        error(n, path + " must be a path or a non-empty list of paths");
        return std::nullopt;
    }
    std::vector<std::string> out;
    bool valid = true;
    for (const auto& item : n) {
        if (!item.IsScalar()) {
            error(item, path + " entries must be strings");
            valid = false;
            continue;
        }
        out.push_back(item.Scalar());
    }
    if (!valid) return std::nullopt;
    return out;
}

std::optional<size_t> SchemaReader::choice(const YAML::Node& n, const std::string& path,
                                           const std::vector<std::string>& allowed) {
    const auto it =
        n.IsScalar() ? std::find(allowed.begin(), allowed.end(), n.Scalar()) : allowed.end();
    if (it == allowed.end()) {
        error(n, path + " must be one of: " +
                     join(std::vector<std::string_view>(allowed.begin(), allowed.end())));
        return std::nullopt;
    }
    return static_cast<size_t>(it - allowed.begin());
}

std::optional<std::string> SchemaReader::digest(const YAML::Node& n, const std::string& path,
                                                const char* expected) {
    if (!n.IsScalar() || !is_sha256_hex(n.Scalar())) {
        error(n, path + " must be " + expected);
        return std::nullopt;
    }
    std::string out = n.Scalar();
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return static_cast<char>(c >= 'A' && c <= 'F' ? c + 32 : c); });
    return out;
}

}  // namespace vigie
