// SPDX-License-Identifier: EUPL-1.2
#include "metrics/metrics_pusher.hpp"

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <stdexcept>
#include <utility>

#include "core/http_client.hpp"
#include "core/identifiers.hpp"

namespace vigie {

namespace {

// Label values go into the URL path: any value that is not plainly safe there is sent in
// the Pushgateway's base64url form (name@base64/value).
bool path_safe(std::string_view value) {
    return !value.empty() && std::all_of(value.begin(), value.end(),
                                         [](char c) { return is_name_char(c) || c == '.'; });
}

std::string base64url(std::string_view in) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const auto n = static_cast<uint32_t>(static_cast<unsigned char>(in[i]) << 16 |
                                             static_cast<unsigned char>(in[i + 1]) << 8 |
                                             static_cast<unsigned char>(in[i + 2]));
        for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(n >> s) & 63];
    }
    if (i < in.size()) {
        uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << 16;
        if (i + 1 < in.size())
            n |= static_cast<uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out.empty() ? "=" : out;  // the Pushgateway's spelling of an empty value
}

std::string segment(const std::string& name, const std::string& value) {
    return path_safe(value) ? "/" + name + "/" + value : "/" + name + "@base64/" + base64url(value);
}

std::string host_name() {
    char name[HOST_NAME_MAX + 1] = {};
    if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
    return name;
}

// PUTs `body`; empty when the Pushgateway answered 2xx, else why not.
std::string http_put(const std::string& url, const std::string& body, long timeout_ms) {
    HttpClientRequest request;
    request.method = "PUT";
    request.url = url;
    request.headers = {"Content-Type: text/plain; version=0.0.4; charset=utf-8"};
    request.body = body;
    request.timeout_ms = timeout_ms;
    request.kept_response_bytes = 200;  // the start of an answer, for the log
    HttpClient client;
    Result<HttpClientResponse> answer = client.perform(request);
    if (!answer) return client.last_failure_summary();
    if (answer->status >= 200 && answer->status < 300) return {};
    std::string& start = answer->body;
    std::replace(start.begin(), start.end(), '\n', ' ');
    return "HTTP " + std::to_string(answer->status) + (start.empty() ? "" : ": " + start);
}

// The Pushgateway gives every pushed series the grouping key's labels, replacing labels of
// the same name: vigie_events_received_total{agency="a1"} and {agency="a2"} would become
// one series under the site's agency. Pushed families carry them as exported_<name>, as
// Prometheus renames the colliding labels of a scrape.
class GroupedFamilies final : public prometheus::Collectable {
  public:
    explicit GroupedFamilies(std::shared_ptr<prometheus::Collectable> inner)
        : inner_(std::move(inner)) {}

    std::vector<prometheus::MetricFamily> Collect() const override {
        std::vector<prometheus::MetricFamily> families = inner_->Collect();
        for (auto& family : families) {
            for (auto& metric : family.metric) {
                for (auto& label : metric.label) {
                    if (label.name == "agency" || label.name == "instance" || label.name == "job")
                        label.name = "exported_" + label.name;
                }
            }
        }
        return families;
    }

  private:
    std::shared_ptr<prometheus::Collectable> inner_;
};

}  // namespace

std::string pushgateway_group_url(const std::string& url, const std::string& job,
                                  const std::string& agency, const std::string& instance) {
    const size_t scheme = url.rfind("https://", 0) == 0 ? 8 : url.rfind("http://", 0) == 0 ? 7 : 0;
    if (scheme == 0 || url.size() == scheme || url[scheme] == '/') return {};
    std::string base = url;
    while (base.back() == '/') base.pop_back();
    return base + "/metrics" + segment("job", job) + segment("agency", agency) +
           segment("instance", instance);
}

std::string push_agency(const PushgatewaySettings& settings,
                        const std::vector<std::string>& agency_ids) {
    if (!settings.agency.empty()) return settings.agency;
    return agency_ids.size() == 1 ? agency_ids.front() : "all";
}

MetricsPusher::MetricsPusher(ServeMetrics& metrics, const PushgatewaySettings& settings,
                             const std::vector<std::string>& agency_ids, Log log)
    : metrics_(metrics),
      settings_(settings),
      agency_(push_agency(settings, agency_ids)),
      instance_(settings.instance.empty() ? host_name() : settings.instance),
      log_(std::move(log)),
      group_url_(pushgateway_group_url(settings.url, settings.job, agency_, instance_)),
      pushed_(std::make_shared<GroupedFamilies>(metrics.collectable())) {
    if (group_url_.empty())
        throw std::invalid_argument("pushgateway url '" + settings.url +
                                    "' is not http://host[:port] or https://host[:port]");
}

MetricsPusher::~MetricsPusher() {
    try {
        stop();
    } catch (...) {  // NOLINT(bugprone-empty-catch): the last push is best effort, and a
                     // destructor that throws ends the process
    }
}

void MetricsPusher::start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable() || stopping_) return;
    thread_ = std::thread([this] { loop(); });
}

void MetricsPusher::loop() {
    const auto interval = std::chrono::seconds(std::max<uint32_t>(1, settings_.interval_seconds));
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        push();
        lock.lock();
        wake_.wait_for(lock, interval, [&] { return stopping_; });
    }
}

void MetricsPusher::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopped_) return;
        stopped_ = true;
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    push();  // the final counts, after the serve command drained its queues
}

bool MetricsPusher::push() {
    std::lock_guard lock(push_mutex_);
    const std::string body = prometheus::TextSerializer().Serialize(pushed_->Collect());
    // A push takes milliseconds; the bound is for a hub that hangs (the final push at exit).
    const long timeout_ms = 1000L * std::clamp<uint32_t>(settings_.interval_seconds, 1, 10);
    const std::string error = http_put(group_url_, body, timeout_ms);
    const bool ok = error.empty();
    if (!ok) metrics_.count_push_error();
    if (ok == failing_ && log_) {  // log changes of state only, not every interval
        log_(ok, ok ? "pushgateway pushes resumed: " + group_url_
                    : "pushgateway push to " + group_url_ + " failed: " + error);
    }
    failing_ = !ok;
    return ok;
}

}  // namespace vigie
