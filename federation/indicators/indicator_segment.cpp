// SPDX-License-Identifier: EUPL-1.2
#include "federation/indicators/indicator_segment.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <stdexcept>

namespace vigie {

void exact_lookup_text(std::string_view key, std::string_view normalized, std::string& out) {
    out.assign(key);
    out += '\0';
    out.append(normalized);
}

void ip_lookup_text(const IpAddress& masked, unsigned length, std::string& out) {
    out.assign(1, '\x01');
    out += masked.v6 ? '6' : '4';
    out += static_cast<char>(length);
    out.append(reinterpret_cast<const char*>(masked.bytes.data()), masked.v6 ? 16 : 4);
}

namespace {

// A LIKE pattern as an anchored regex: % is any run, _ any one character (STIX 2.1
// section 9.6, as SQL's LIKE).
std::string like_to_regex(std::string_view like) {
    std::string out = "^";
    for (char c : like) {
        if (c == '%') {
            out += ".*";
        } else if (c == '_') {
            out += '.';
        } else {
            if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
            out += c;
        }
    }
    return out + "$";
}

// The object types the metrics break indicators down by; anything else is "other".
constexpr std::array<std::string_view, 8> kObjectTypes{
    "domain-name", "ipv4-addr", "ipv6-addr",       "url",
    "email-addr",  "file",      "network-traffic", "other"};

uint8_t object_type_index(std::string_view type) {
    for (size_t i = 0; i + 1 < kObjectTypes.size(); ++i) {
        if (kObjectTypes[i] == type) return static_cast<uint8_t>(i);
    }
    return static_cast<uint8_t>(kObjectTypes.size() - 1);
}

constexpr unsigned kRegexFlags = HS_FLAG_SINGLEMATCH | HS_FLAG_DOTALL | HS_FLAG_ALLOWEMPTY;

void add_length(std::vector<uint8_t>& lengths, unsigned length) {
    if (std::find(lengths.begin(), lengths.end(), length) == lengths.end()) {
        lengths.push_back(static_cast<uint8_t>(length));
        std::sort(lengths.rbegin(), lengths.rend());
    }
}

}  // namespace

IndicatorSegment::~IndicatorSegment() {
    for (auto& db : regex_dbs_) hs_free_database(db.database);
}

uint32_t IndicatorSegment::Builder::add_info(const IndicatorView& v, int64_t valid_from_us) {
    IndicatorSegment& s = *segment_;
    auto put = [&s](std::string_view text, uint32_t& off, uint32_t& len) {
        off = static_cast<uint32_t>(s.strings_.size());
        len = static_cast<uint32_t>(text.size());
        s.strings_.append(text);
    };
    Info info{};
    put(v.id, info.id_off, info.id_len);
    put(v.name, info.name_off, info.name_len);
    put(v.source, info.source_off, info.source_len);
    info.valid_from_us = valid_from_us;
    info.valid_until_us = v.valid_until_us.value_or(INT64_MAX);
    info.confidence = static_cast<int8_t>(v.confidence);
    info.tlp = v.tlp;
    info.type = object_type_index(v.type);
    s.infos_.push_back(info);
    return static_cast<uint32_t>(s.infos_.size() - 1);
}

Status IndicatorSegment::Builder::add_term(uint32_t slot, const stix::IndicatorTerm& term) {
    const std::string path = term.object_type + ":" + term.object_path;
    canonical_key(path, key_);
    const ValueKind kind = kind_of_path(path);
    IndicatorSegment& s = *segment_;
    if (term.op == stix::TermOp::Like || term.op == stix::TermOp::Matches) {
        std::string expression =
            term.op == stix::TermOp::Like ? like_to_regex(term.value) : term.value;
        // Checked alone first, so that one regex Hyperscan refuses (a back-reference, a
        // peer's typo) costs its own indicator, never the whole segment.
        hs_database_t* db = nullptr;
        hs_compile_error_t* error = nullptr;
        if (hs_compile(expression.c_str(), kRegexFlags, HS_MODE_BLOCK, nullptr, &db, &error) !=
            HS_SUCCESS) {
            Error refused{path + ": regex not matched per event (Hyperscan: " +
                          std::string(error ? error->message : "unknown error") + ")"};
            hs_free_compile_error(error);
            return refused;
        }
        hs_free_database(db);
        s.regex_terms_.push_back({key_, std::move(expression), slot});
        return {};
    }
    if (kind == ValueKind::Ip) {
        auto prefix = IpNetwork::parse(term.value);
        if (!prefix) return Error{path + ": '" + term.value + "' is not an IP address or network"};
        add_length(prefix->network.v6 ? s.v6_lengths_ : s.v4_lengths_, prefix->length);
        if (!prefix->network.v6 && prefix->length < 32) s.cover_v4(*prefix);
        ip_lookup_text(prefix->network, prefix->length, value_);
        s.values_.add(0, value_, slot);
        return {};
    }
    if (term.op == stix::TermOp::InNetwork)
        return Error{path + ": ISSUBSET on something that is not an IP address"};
    std::string normalized;
    if (!normalize_value(kind, term.value, normalized))
        return Error{path + ": '" + term.value + "' is not a valid value for this property"};
    exact_lookup_text(key_, normalized, value_);
    s.values_.add(0, value_, slot);
    return {};
}

Status IndicatorSegment::Builder::add(const stix::Indicator& ind,
                                      const std::vector<stix::IndicatorTerm>& terms) {
    const IndicatorView view{ind.id,
                             ind.name,
                             ind.source,
                             ind.tlp,
                             ind.confidence,
                             ind.valid_until_us,
                             terms.empty() ? std::string_view() : terms[0].object_type};
    const uint32_t slot = add_info(view, ind.valid_from_us);
    segment_->ids_.add(0, ind.id, slot);
    size_t usable = 0;
    // No term at all is refused too, with no reason of its own (line_rate_terms gives none).
    Status last_refused = Error{};
    for (const auto& term : terms) {
        Status added = add_term(slot, term);
        if (added)
            ++usable;
        else
            last_refused = std::move(added);
    }
    return usable > 0 ? Status{} : last_refused;
}

std::shared_ptr<IndicatorSegment> IndicatorSegment::Builder::build() {
    IndicatorSegment& s = *segment_;
    s.values_.build();
    s.ids_.build();
    s.dead_ = std::make_unique<std::atomic<bool>[]>(s.infos_.size());
    s.compile_regexes();
    s.strings_.shrink_to_fit();
    s.infos_.shrink_to_fit();
    return std::shared_ptr<IndicatorSegment>(segment_.release());
}

void IndicatorSegment::compile_regexes() {
    std::stable_sort(regex_terms_.begin(), regex_terms_.end(),
                     [](const RegexTerm& a, const RegexTerm& b) { return a.key < b.key; });
    for (size_t i = 0; i < regex_terms_.size();) {
        KeyDatabase db{regex_terms_[i].key, nullptr, {}};
        std::vector<const char*> expressions;
        std::vector<unsigned> flags, ids;
        for (; i < regex_terms_.size() && regex_terms_[i].key == db.key; ++i) {
            expressions.push_back(regex_terms_[i].expression.c_str());
            flags.push_back(kRegexFlags);
            ids.push_back(static_cast<unsigned>(db.slots.size()));
            db.slots.push_back(regex_terms_[i].slot);
        }
        hs_compile_error_t* error = nullptr;
        if (hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                             static_cast<unsigned>(expressions.size()), HS_MODE_BLOCK, nullptr,
                             &db.database, &error) != HS_SUCCESS) {
            std::string message = error ? error->message : "unknown error";
            hs_free_compile_error(error);
            throw std::runtime_error("indicator regexes for " + db.key + ": " + message);
        }
        databases_.push_back(db.database);
        regex_dbs_.push_back(std::move(db));
    }
}

void IndicatorSegment::cover_v4(const IpNetwork& prefix) {
    if (v4_cover_.empty()) v4_cover_.assign((size_t{1} << 24) / 64, 0);
    const auto& b = prefix.network.bytes;
    const uint32_t first = uint32_t{b[0]} << 16 | uint32_t{b[1]} << 8 | b[2];
    const uint32_t count = prefix.length >= 24 ? 1 : uint32_t{1} << (24 - prefix.length);
    for (uint32_t i = first; i < first + count; ++i) v4_cover_[i >> 6] |= uint64_t{1} << (i & 63);
}

IndicatorView IndicatorSegment::view(uint32_t slot) const {
    const Info& i = infos_[slot];
    const std::string_view s(strings_);
    return {s.substr(i.id_off, i.id_len),
            s.substr(i.name_off, i.name_len),
            s.substr(i.source_off, i.source_len),
            i.tlp,
            i.confidence,
            i.valid_until_us == INT64_MAX ? std::nullopt : std::optional<int64_t>(i.valid_until_us),
            kObjectTypes[i.type]};
}

bool IndicatorSegment::live(uint32_t slot, int64_t now_us) const {
    const Info& i = infos_[slot];
    return !dead_[slot].load(std::memory_order_relaxed) && i.valid_from_us <= now_us &&
           now_us < i.valid_until_us;
}

size_t IndicatorSegment::memory_bytes() const {
    return infos_.capacity() * sizeof(Info) + strings_.capacity() + values_.memory_bytes() +
           ids_.memory_bytes() + v4_cover_.capacity() * sizeof(uint64_t) +
           infos_.size() * sizeof(std::atomic<bool>);
}

}  // namespace vigie
