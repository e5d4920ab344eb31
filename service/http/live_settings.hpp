// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The settings vigie serve applies while it runs, in one immutable snapshot: the HTTP
// limits and timeouts, the agencies (tokens, rate limits, the admin token) and the
// ruleset. A reload builds a whole new snapshot and publishes it with one swap, so a
// request never sees some settings of the old file and some of the new: it takes the
// snapshot when it begins (its session, before reading its header) and keeps it to its
// answer, even if a reload publishes another meanwhile.
#include <memory>
#include <mutex>

#include "detector/ruleset.hpp"
#include "service/agencies/agency_registry.hpp"
#include "service/http/http_settings.hpp"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace vigie {

struct LiveSettings {
    // Only the fields named live in app/config/setting_classes.hpp ever differ from the
    // start-up values (the listen address, TLS and thread counts are the listener's own).
    HttpSettings http;
    std::shared_ptr<const AgencyTable> agencies;  // null: the handler's registry
    // The rules a request's events are evaluated with; null: the engine's at that time.
    std::shared_ptr<const Ruleset> ruleset;
    // The TLS context new connections handshake with (a reload re-reads the files); null:
    // the listener's own from start-up, or no TLS.
    std::shared_ptr<boost::asio::ssl::context> tls{};
};

class LiveSettingsStore {
  public:
    explicit LiveSettingsStore(LiveSettings first)
        : current_(std::make_shared<const LiveSettings>(std::move(first))) {}

    [[nodiscard]] std::shared_ptr<const LiveSettings> current() const {
        std::lock_guard lock(mutex_);
        return current_;
    }
    // The one swap of a reload; snapshots already taken stay valid and unchanged.
    void publish(LiveSettings next) {
        auto fresh = std::make_shared<const LiveSettings>(std::move(next));
        std::lock_guard lock(mutex_);
        current_.swap(fresh);
    }  // the old snapshot is released outside the lock when no request holds it

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const LiveSettings> current_;
};

}  // namespace vigie
