// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Pushes vigie serve's metrics to a Prometheus Pushgateway, for sites the national hub
// cannot scrape (no inbound port): every interval, all the families of ServeMetrics are PUT
// to /metrics/job/<job>/agency/<agency>/instance/<instance>, replacing that group's
// previous push. The body is prometheus-cpp's text format; the request is vigie's HTTP client's
// (core/http_client.hpp), not prometheus-cpp's Gateway: the Gateway lets curl write the answer's
// body to stdout (where vigie writes alerts) and sets no timeout (a hub that hangs would hang the
// shutdown). The metrics' own agency label (the sender) is pushed as exported_agency: the grouping
// key's agency (the site) would overwrite it. A failure is counted (vigie_pushgateway_errors_total)
// and logged once until a push succeeds again; it never stops vigie. stop() pushes one last time,
// so that the hub keeps the final counts of a worker that shut down.
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "metrics/pushgateway_settings.hpp"
#include "metrics/serve_metrics.hpp"

namespace vigie {

// The URL of a group: "http://hub:9091" + /metrics/job/vigie/agency/a/instance/i. A value
// that is not plainly URL-safe goes in the Pushgateway's base64url form
// (/instance@base64/aG9zdC8x). Empty when `url` is not http:// or https://.
std::string pushgateway_group_url(const std::string& url, const std::string& job,
                                  const std::string& agency, const std::string& instance);

// The grouping key's agency: the configured one, else the only agency, else "all".
std::string push_agency(const PushgatewaySettings& settings,
                        const std::vector<std::string>& agency_ids);

class MetricsPusher {
  public:
    // ok=false: a push failed after one that succeeded (or the first one); ok=true: pushes
    // work again. Called on the pusher's thread, or in stop().
    using Log = std::function<void(bool ok, const std::string& message)>;

    // settings.url must be set. Throws std::invalid_argument for a URL that is not http(s).
    MetricsPusher(ServeMetrics& metrics, const PushgatewaySettings& settings,
                  const std::vector<std::string>& agency_ids, Log log = {});
    ~MetricsPusher();  // stop()
    MetricsPusher(const MetricsPusher&) = delete;
    MetricsPusher& operator=(const MetricsPusher&) = delete;

    // Pushes every settings.interval_seconds on a thread of its own.
    void start();
    // Stops the thread, then pushes once more. Idempotent.
    void stop();
    // One push now; false when it failed (counted and logged).
    bool push();

    [[nodiscard]] const std::string& agency() const { return agency_; }
    [[nodiscard]] const std::string& instance() const { return instance_; }

  private:
    void loop();

    ServeMetrics& metrics_;
    PushgatewaySettings settings_;
    std::string agency_;
    std::string instance_;
    Log log_;
    std::string group_url_;
    std::shared_ptr<prometheus::Collectable> pushed_;

    std::mutex push_mutex_;  // one push at a time: the loop's and stop()'s
    bool failing_ = false;

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool stopped_ = false;
    std::thread thread_;
};

}  // namespace vigie
