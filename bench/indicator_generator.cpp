// SPDX-License-Identifier: EUPL-1.2
#include "bench/indicator_generator.hpp"

#include <cstdio>

#include "federation/stix/timestamp.hpp"

namespace vigie::bench {

uint64_t IndicatorGenerator::next() {
    // splitmix64: fast, and the same sequence on every machine.
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::string IndicatorGenerator::hex(size_t digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    while (out.size() < digits) {
        uint64_t r = next();
        for (int i = 0; i < 16 && out.size() < digits; ++i, r >>= 4) out += kHex[r & 15];
    }
    return out;
}

// Per 100: 30 IPv4 addresses, 5 IPv4 networks, 5 IPv6 addresses, 30 domains, 15 URLs,
// 15 hashes (SHA-256, MD5, SHA-1).
std::string IndicatorGenerator::pattern_for(uint64_t n) {
    const uint64_t kind = n % 100;
    const uint64_t r = next();
    char ip[64];
    if (kind < 30) {
        std::snprintf(ip, sizeof ip, "%u.%u.%u.%u", unsigned(r >> 24 & 223) | 1,
                      unsigned(r >> 16 & 255), unsigned(r >> 8 & 255), unsigned(r & 255));
        return "[ipv4-addr:value = '" + std::string(ip) + "']";
    }
    if (kind < 35) {
        const unsigned length = 16 + unsigned(r % 9);
        std::snprintf(ip, sizeof ip, "%u.%u.0.0/%u", unsigned(r >> 24 & 223) | 1,
                      unsigned(r >> 16 & 255), length);
        return "[ipv4-addr:value ISSUBSET '" + std::string(ip) + "']";
    }
    if (kind < 40) return "[ipv6-addr:value = '2001:db8:" + hex(4) + "::" + hex(4) + "']";
    if (kind < 70) return "[domain-name:value = '" + hex(10) + ".bad-" + hex(3) + ".example']";
    if (kind < 85)
        return "[url:value = 'http://" + hex(8) + ".example/" + hex(12) + "/payload.bin']";
    if (kind < 95) return "[file:hashes.'SHA-256' = '" + hex(64) + "']";
    if (kind < 98) return "[file:hashes.MD5 = '" + hex(32) + "']";
    return "[file:hashes.'SHA-1' = '" + hex(40) + "']";
}

stix::Indicator IndicatorGenerator::make(uint64_t n) {
    stix::Indicator ind;
    char id[64];
    std::snprintf(id, sizeof id, "indicator--%08llx-0000-4000-8000-%012llx",
                  static_cast<unsigned long long>(n >> 32 & 0xffffffff),
                  static_cast<unsigned long long>(n & 0xffffffffffffULL));
    ind.id = id;
    ind.created_us = ind.modified_us = ind.valid_from_us =
        *stix::parse_timestamp("2026-11-01T00:00:00Z");
    ind.pattern = pattern_for(n);
    ind.name = "bench indicator " + std::to_string(n);
    ind.confidence = static_cast<int>(n % 101);
    ind.tlp = static_cast<stix::Tlp>(n % 3);
    ind.source = "bench";
    std::string escaped;
    for (char c : ind.pattern) {
        if (c == '"' || c == '\\') escaped += '\\';
        escaped += c;
    }
    ind.json =
        R"({"type":"indicator","spec_version":"2.1","id":")" + ind.id +
        R"(","created":"2026-11-01T00:00:00.000Z","modified":"2026-11-01T00:00:00.000Z","name":")" +
        ind.name + R"(","pattern_type":"stix","pattern":")" + escaped +
        R"(","valid_from":"2026-11-01T00:00:00Z","confidence":)" + std::to_string(ind.confidence) +
        R"(,"object_marking_refs":[")" + std::string(stix::tlp_marking_id(ind.tlp)) + "\"]}";
    return ind;
}

}  // namespace vigie::bench
