// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Helpers of the outputs tests: temporary directories, alert records (as workers hand them
// over and as the spool stores them), the nats-server hub that can be stopped and started
// again on its store, child processes. Free loopback ports: tests/nats/nats_test_server.hpp.
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "delivery/outputs/alert_forwarder.hpp"
#include "pipeline/alerts/alert_record.hpp"
#include "tests/nats/nats_test_server.hpp"  // free_loopback_port, find_nats_server

namespace vigie::test {

struct TempDir {
    std::string path;
    TempDir();
    ~TempDir();
};

std::string read_text(const std::string& path);
bool eventually(const std::function<bool()>& done, double seconds = 20);

// Alerts as the spool holds them: records "routing\nalert", and their parsed views.
struct AlertBatch {
    std::vector<std::string> records;
    std::vector<ForwardedAlert> alerts;
};
std::string alert_record(const std::string& uid, const std::string& agency, Level level,
                         const std::string& rule = "rule-1", const std::string& tags = "");
// n alerts with uids prefix-0 ... prefix-(n-1); the line is {"uid":"..."}.
AlertBatch make_alerts(const std::string& prefix, size_t n, const std::string& agency = "demo",
                       Level level = Level::High);
void parse_records(AlertBatch& batch);
// The record a serve worker hands the delivery for the alert alert_record() stores.
AlertRecord make_record(const std::string& uid, const std::string& agency, Level level,
                        const std::string& rule = "rule-1", const std::string& tags = "");
// make_alerts' alerts as records.
std::vector<AlertRecord> make_records(const std::string& prefix, size_t n,
                                      const std::string& agency = "demo",
                                      Level level = Level::High);

// A nats-server with JetStream on a fixed free port and store, stoppable and restartable.
class HubServer {
  public:
    HubServer();  // throws when nats-server is missing or does not come up
    ~HubServer();
    void stop();   // SIGKILL: the hub dies as in a crash
    void start();  // same port, same store
    [[nodiscard]] const std::string& url() const { return url_; }

  private:
    pid_t pid_ = -1;
    int port_ = 0;
    std::string exe_;
    TempDir store_;
    std::string url_;
};

// A child process, killed (SIGTERM) and reaped when the object goes.
class ChildProcess {
  public:
    explicit ChildProcess(const std::vector<std::string>& argv);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

  private:
    pid_t pid_ = -1;
};

}  // namespace vigie::test
