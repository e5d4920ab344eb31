// SPDX-License-Identifier: EUPL-1.2
#include "federation/taxii/object_query.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "federation/stix/timestamp.hpp"

namespace vigie::taxii {

namespace {

// More than this many values in one match[...] is refused: the SQL stays bounded.
constexpr size_t kMaxMatchValues = 100;

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 &&
            hex_digit(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
            i += 2;
        } else {
            out += s[i] == '+' ? ' ' : s[i];
        }
    }
    return out;
}

std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        size_t comma = s.find(',', start);
        if (comma == std::string::npos) comma = s.size();
        if (comma > start) out.push_back(s.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

bool parse_uint(const std::string& s, uint64_t& out) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 10);
    return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

void later_bound(std::optional<int64_t>& bound, int64_t value) {
    if (!bound || value > *bound) bound = value;
}

Result<VersionMatch> parse_versions(const std::string& value) {
    VersionMatch out;
    for (const auto& v : split_commas(value)) {
        if (v == "all") {
            out.all = true;
        } else if (v == "last") {
            out.last = true;
        } else if (v == "first") {
            out.first = true;
        } else if (auto ts = stix::parse_timestamp(v)) {
            out.exact.push_back(*ts);
        } else {
            return Error{"match[version] takes last, first, all or a timestamp, not '" + v + "'"};
        }
    }
    return out;
}

// One key=value of the query; an error when it is malformed.
Status apply_parameter(const std::string& key, const std::string& value, uint32_t max_limit,
                       ObjectQuery& q) {
    ObjectFilter& f = q.filter;
    if (key == "added_after") {
        auto ts = stix::parse_timestamp(value);
        if (!ts) return Error{"added_after is not a timestamp: '" + value + "'"};
        later_bound(f.added_after, *ts);
    } else if (key == "next") {
        uint64_t after = 0;
        if (!parse_uint(value, after) || after > INT64_MAX)
            return Error{"next is not a value this server gave"};
        later_bound(f.added_after, static_cast<int64_t>(after));
    } else if (key == "limit") {
        uint64_t limit = 0;
        if (!parse_uint(value, limit) || limit == 0)
            return Error{"limit must be a positive whole number"};
        q.limit = static_cast<uint32_t>(std::min<uint64_t>(limit, max_limit));
    } else if (key == "match[id]" || key == "match[type]" || key == "match[spec_version]") {
        std::vector<std::string> values = split_commas(value);
        if (values.size() > kMaxMatchValues) return Error{key + " lists more than 100 values"};
        auto& list = key == "match[id]" ? f.ids : key == "match[type]" ? f.types : f.spec_versions;
        list.insert(list.end(), values.begin(), values.end());
    } else if (key == "match[version]") {
        auto versions = parse_versions(value);
        if (!versions) return versions.error();
        f.versions = std::move(versions).value();
    }
    // Other parameters (match[relationships], ...) are not supported and, as TAXII says
    // of unknown ones, ignored.
    return {};
}

}  // namespace

Result<ObjectQuery> parse_object_query(std::string_view query, uint32_t default_limit,
                                       uint32_t max_limit, DefaultVersions default_versions) {
    ObjectQuery q;
    q.limit = std::min(default_limit, max_limit);
    if (default_versions == DefaultVersions::Last) q.filter.versions.last = true;
    if (default_versions == DefaultVersions::All) q.filter.versions.all = true;
    size_t start = 0;
    while (start < query.size()) {
        size_t amp = query.find('&', start);
        if (amp == std::string_view::npos) amp = query.size();
        const std::string_view pair = query.substr(start, amp - start);
        start = amp + 1;
        if (pair.empty()) continue;
        const size_t eq = pair.find('=');
        const std::string key = percent_decode(pair.substr(0, eq));
        const std::string value =
            eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
        if (auto applied = apply_parameter(key, value, max_limit, q); !applied)
            return applied.error();
    }
    return q;
}

std::string next_token(int64_t date_added) {
    return std::to_string(date_added);
}

}  // namespace vigie::taxii
