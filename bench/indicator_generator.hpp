// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Deterministic STIX 2.1 indicators for the benchmarks, in the mix IOC feeds send: IPv4
// addresses and networks, IPv6 addresses, domains, URLs and file hashes.
#include <cstdint>
#include <string>

#include "federation/stix/indicator.hpp"

namespace vigie::bench {

class IndicatorGenerator {
  public:
    explicit IndicatorGenerator(uint64_t seed) : state_(seed) {}
    // The n-th indicator (json filled in; source "bench").
    stix::Indicator make(uint64_t n);

  private:
    uint64_t next();
    std::string hex(size_t digits);
    std::string pattern_for(uint64_t n);
    uint64_t state_;
};

}  // namespace vigie::bench
