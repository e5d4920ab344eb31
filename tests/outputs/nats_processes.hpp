// SPDX-License-Identifier: EUPL-1.2
#pragma once
// nats-server processes for the forwarder's failure tests: a server from a configuration
// the test writes (users and permissions), killable with SIGKILL and restartable on the same
// ports and store, and a JetStream cluster of such servers on loopback.
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/outputs/output_test_support.hpp"

namespace vigie::test {

class NatsProcess {
  public:
    // `config` is the configuration's text without `listen`, which the process adds
    // (127.0.0.1:port); "$STORE" in it is replaced by the process' store directory.
    NatsProcess(int port, const std::string& config);
    ~NatsProcess();  // kill()
    NatsProcess(const NatsProcess&) = delete;
    NatsProcess& operator=(const NatsProcess&) = delete;

    void start();           // returns once the port accepts; throws when it does not
    void start_no_wait();   // returns at once
    void wait_accepting();  // until the port accepts; throws after 20 s
    void kill();            // SIGKILL, reaped; the store stays
    [[nodiscard]] bool running() const { return pid_ > 0; }
    [[nodiscard]] std::string url() const;
    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] const std::string& log_path() const { return log_; }

  private:
    int port_;
    TempDir dir_;
    std::string config_path_;
    std::string log_;
    pid_t pid_ = -1;
};

// n nodes (server names n1..nN, cluster "vigie") with JetStream, routes to each other.
class NatsCluster {
  public:
    explicit NatsCluster(size_t n);
    NatsProcess& node(size_t i) { return *nodes_.at(i); }
    [[nodiscard]] size_t size() const { return nodes_.size(); }
    [[nodiscard]] std::vector<std::string> urls() const;
    [[nodiscard]] std::string url_list() const;  // comma-separated, for a client

  private:
    std::vector<std::unique_ptr<NatsProcess>> nodes_;
};

}  // namespace vigie::test
