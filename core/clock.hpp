// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Wall-clock time since the Unix epoch (system_clock), for what is written down or compared
// with other machines: alert and sighting times, date_added, arrival times. Durations,
// deadlines and timeouts use std::chrono::steady_clock instead, which never steps back.
#include <chrono>
#include <cstdint>

namespace vigie {

template <class Unit>
int64_t unix_now() {
    return std::chrono::duration_cast<Unit>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

inline int64_t unix_now_s() {
    return unix_now<std::chrono::seconds>();
}
inline int64_t unix_now_ms() {
    return unix_now<std::chrono::milliseconds>();
}
inline int64_t unix_now_us() {
    return unix_now<std::chrono::microseconds>();
}

}  // namespace vigie
