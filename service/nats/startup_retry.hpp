// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What the NATS start-up retries are made of (service/nats/jetstream_setup.cpp): which failures
// waiting mends, the backoff and its limit, and a stop asked for while waiting.
#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vigie {

// The client's own description of the last failure on this thread (its source place cut
// off), else the status text; with the JetStream error code when there is one.
std::string describe(natsStatus s, jsErrCode jerr = static_cast<jsErrCode>(0));

// A failure of one start-up step; `transient` when waiting may mend it (a server down, a
// leader being elected), else the start-up ends at once.
struct SetupFailure : std::runtime_error {
    SetupFailure(const std::string& what, bool transient_)
        : std::runtime_error(what), transient(transient_) {}
    bool transient;
};

// Whether waiting may mend a failed call: no server, a timeout, no responders, a lost
// connection, or a JetStream error the cluster's state explains (no leader, no peers).
bool transient(natsStatus s, jsErrCode jerr);

// Throws SetupFailure("<what>: <description>"), transient or not as above.
[[noreturn]] void fail(const std::string& what, natsStatus s, jsErrCode jerr = {});

// The start-up's clock: the wait before the next attempt (250 ms doubling to 5 s), none
// once `retry_seconds` have passed since its construction (0: never).
class StartupClock {
  public:
    explicit StartupClock(uint32_t retry_seconds) : limit_(retry_seconds) {}
    std::optional<std::chrono::milliseconds> next_wait();

  private:
    std::chrono::seconds limit_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::chrono::milliseconds backoff_{250};
};

// Sleeps `wait`, in slices, returning early (false) when a stop is asked for.
bool wait_unless_stopped(std::chrono::milliseconds wait);

// Whether SIGTERM or SIGINT is pending: `vigie serve` blocks them until it is up, so a
// stop asked for during the start-up retries is seen here, between attempts.
bool stop_signal_pending();

// The servers as a comma list for logs and messages, secrets in URLs masked (***).
std::string server_list(const std::vector<std::string>& servers);

}  // namespace vigie
