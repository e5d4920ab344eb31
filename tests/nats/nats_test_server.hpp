// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A real nats-server with JetStream for the in-process tests: loopback only, a free port,
// a temporary store, killed (and its store removed) when the object goes.
#include <sys/types.h>

#include <string>

namespace vigie::test {

// The nats-server executable on PATH (or in /usr/sbin), or "" when it is not installed.
std::string find_nats_server();

// Whether something listens on this loopback port (a server started and ready).
bool loopback_port_accepts(int port);

// A port the kernel has just found free on loopback (bound to port 0, then released).
int free_loopback_port();

class NatsTestServer {
  public:
    NatsTestServer();  // throws std::runtime_error when the server does not come up
    ~NatsTestServer();
    NatsTestServer(const NatsTestServer&) = delete;
    NatsTestServer& operator=(const NatsTestServer&) = delete;
    [[nodiscard]] const std::string& url() const { return url_; }

  private:
    pid_t pid_ = -1;
    std::string dir_;
    std::string url_;
};

}  // namespace vigie::test
