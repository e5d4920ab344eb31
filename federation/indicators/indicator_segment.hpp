// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A batch of indicators compiled for per-event matching, immutable once built except
// for each indicator's "dead" flag (revoked, superseded or evicted: it stops matching at
// once, before the next compaction drops it). Exact values and IP networks are in one
// ValueTable; LIKE and MATCHES terms in a Hyperscan database per observable key.
#include <hs/hs.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "federation/indicators/observable.hpp"
#include "federation/indicators/value_table.hpp"
#include "federation/stix/indicator.hpp"
#include "federation/stix/pattern_terms.hpp"

namespace vigie {

// What an alert says about the indicator that fired.
struct IndicatorView {
    std::string_view id;
    std::string_view name;
    std::string_view source;
    stix::Tlp tlp = stix::Tlp::Amber;
    int confidence = -1;
    std::optional<int64_t> valid_until_us;
    std::string_view type;  // the STIX object type of its first term ("domain-name", ...)
};

class IndicatorSegment {
  public:
    class Builder {
      public:
        // An error (why its last term cannot be) when no term of the indicator can be
        // matched per event; the indicator is then in the segment, matching nothing.
        Status add(const stix::Indicator& indicator, const std::vector<stix::IndicatorTerm>& terms);
        [[nodiscard]] size_t size() const { return segment_->infos_.size(); }
        // Throws on a Hyperscan failure of the whole set (a start-up failure).
        std::shared_ptr<IndicatorSegment> build();

      private:
        uint32_t add_info(const IndicatorView& view, int64_t valid_from_us);
        Status add_term(uint32_t slot, const stix::IndicatorTerm& term);
        std::unique_ptr<IndicatorSegment> segment_ = std::make_unique<IndicatorSegment>();
        std::string key_;
        std::string value_;
    };

    IndicatorSegment() = default;
    ~IndicatorSegment();
    IndicatorSegment(const IndicatorSegment&) = delete;
    IndicatorSegment& operator=(const IndicatorSegment&) = delete;

    // Slots of the indicators whose terms match `value` of an event field carrying
    // `canonical_key` (observable.hpp); `buffer` is the caller's, reused.
    template <class Hit>
    void find(std::string_view canonical_key, ValueKind kind, std::string_view value,
              std::string& buffer, hs_scratch_t* scratch, Hit&& hit) const;

    [[nodiscard]] size_t size() const { return infos_.size(); }
    // Calls `hit(slot)` for the slots holding indicator `id` (any version).
    template <class Hit>
    void find_id(std::string_view id, Hit&& hit) const {
        ids_.find(0, id, hit);
    }
    [[nodiscard]] IndicatorView view(uint32_t slot) const;
    [[nodiscard]] bool live(uint32_t slot, int64_t now_us) const;
    void kill(uint32_t slot) const { dead_[slot].store(true, std::memory_order_relaxed); }
    [[nodiscard]] size_t memory_bytes() const;
    // For the workers' scratch: every database of this segment.
    [[nodiscard]] const std::vector<hs_database_t*>& databases() const { return databases_; }

  private:
    struct Info {
        uint32_t id_off, id_len, name_off, name_len, source_off, source_len;
        int64_t valid_from_us;
        int64_t valid_until_us;  // INT64_MAX: none
        int8_t confidence;
        stix::Tlp tlp;
        uint8_t type;  // index in kObjectTypes
    };
    struct RegexTerm {
        std::string key;
        std::string expression;
        uint32_t slot;
    };
    struct KeyDatabase {
        std::string key;
        hs_database_t* database = nullptr;
        std::vector<uint32_t> slots;  // by Hyperscan pattern id
    };

    void find_exact(std::string_view key, ValueKind kind, std::string_view value,
                    std::string& buffer, const auto& hit) const;
    void find_ip(std::string_view value, std::string& buffer, const auto& hit) const;
    void compile_regexes();

    std::vector<Info> infos_;
    std::string strings_;
    mutable std::unique_ptr<std::atomic<bool>[]> dead_;
    ValueTable values_;
    ValueTable ids_;
    std::vector<uint8_t> v4_lengths_, v6_lengths_;  // prefix lengths present, longest first
    // One bit per IPv4 /24: set when a network shorter than /32 covers part of it. Most
    // event addresses are under no listed network, and the bit (2 MiB, mostly cached)
    // spares them a probe per prefix length.
    std::vector<uint64_t> v4_cover_;
    void cover_v4(const IpNetwork& prefix);
    std::vector<RegexTerm> regex_terms_;  // kept for compaction
    std::vector<KeyDatabase> regex_dbs_;
    std::vector<hs_database_t*> databases_;
};

// The lookup text of an exact value: "<canonical key>\0<normalised value>".
void exact_lookup_text(std::string_view key, std::string_view normalized, std::string& out);
// The lookup text of an IP network: "\x01<family><length>" followed by the masked bytes.
void ip_lookup_text(const IpAddress& masked, unsigned length, std::string& out);

template <class Hit>
void IndicatorSegment::find(std::string_view canonical_key, ValueKind kind, std::string_view value,
                            std::string& buffer, hs_scratch_t* scratch, Hit&& hit) const {
    if (kind == ValueKind::Ip) {
        find_ip(value, buffer, hit);
    } else {
        find_exact(canonical_key, kind, value, buffer, hit);
    }
    for (const auto& db : regex_dbs_) {
        if (db.key != canonical_key || scratch == nullptr) continue;
        struct Context {
            const KeyDatabase* db;
            const Hit* hit;
        } context{&db, &hit};
        hs_scan(
            db.database, value.data(), static_cast<unsigned>(value.size()), 0, scratch,
            [](unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) -> int {
                auto* c = static_cast<Context*>(ctx);
                (*c->hit)(c->db->slots[id]);
                return 0;
            },
            &context);
    }
}

void IndicatorSegment::find_exact(std::string_view key, ValueKind kind, std::string_view value,
                                  std::string& buffer, const auto& hit) const {
    buffer.clear();
    buffer.append(key);
    buffer += '\0';
    if (!normalize_value(kind, value, buffer)) return;
    values_.find(0, buffer, hit);
}

void IndicatorSegment::find_ip(std::string_view value, std::string& buffer, const auto& hit) const {
    auto address = IpAddress::parse(value);
    if (!address) return;
    const auto& b = address->bytes;
    const uint32_t slash24 = uint32_t{b[0]} << 16 | uint32_t{b[1]} << 8 | b[2];
    const bool covered =
        address->v6 || (!v4_cover_.empty() && (v4_cover_[slash24 >> 6] >> (slash24 & 63) & 1) != 0);
    for (uint8_t length : address->v6 ? v6_lengths_ : v4_lengths_) {
        if (length < 32 && !covered) continue;
        ip_lookup_text(address->masked(length), length, buffer);
        values_.find(0, buffer, hit);
    }
}

}  // namespace vigie
