// SPDX-License-Identifier: EUPL-1.2
#include "tests/outputs/nats_processes.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "tests/nats/nats_test_server.hpp"

namespace vigie::test {

namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

}  // namespace

NatsProcess::NatsProcess(int port, const std::string& config)
    : port_(port), config_path_(dir_.path + "/server.conf"), log_(dir_.path + "/server.log") {
    std::ofstream out(config_path_);
    out << "listen: 127.0.0.1:" << port_ << "\n"
        << replace_all(config, "$STORE", dir_.path + "/store") << "\n";
    if (!out) throw std::runtime_error("cannot write " + config_path_);
}

NatsProcess::~NatsProcess() {
    kill();
}

std::string NatsProcess::url() const {
    return "nats://127.0.0.1:" + std::to_string(port_);
}

void NatsProcess::start_no_wait() {
    const std::string exe = find_nats_server();
    if (exe.empty()) throw std::runtime_error("nats-server is not installed");
    pid_ = ::fork();
    if (pid_ == 0) {
        const int log = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        ::dup2(log, 1);
        ::dup2(log, 2);
        ::execl(exe.c_str(), exe.c_str(), "-c", config_path_.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
}

void NatsProcess::start() {
    start_no_wait();
    wait_accepting();
}

void NatsProcess::wait_accepting() {
    for (int i = 0; i < 400; ++i) {  // ready within a second; allow 20
        if (loopback_port_accepts(port_)) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // poll interval
    }
    throw std::runtime_error("nats-server did not start on port " + std::to_string(port_) + ": " +
                             read_text(log_));
}

void NatsProcess::kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

NatsCluster::NatsCluster(size_t n) {
    std::vector<int> client(n), route(n);
    for (size_t i = 0; i < n; ++i) {
        client[i] = free_loopback_port();
        route[i] = free_loopback_port();
    }
    for (size_t i = 0; i < n; ++i) {
        std::string routes;
        for (size_t j = 0; j < n; ++j)
            if (j != i) routes += "    nats-route://127.0.0.1:" + std::to_string(route[j]) + "\n";
        const std::string config = "server_name: n" + std::to_string(i + 1) +
                                   "\n"
                                   "jetstream { store_dir: \"$STORE\" }\n"
                                   "cluster {\n  name: vigie\n  listen: 127.0.0.1:" +
                                   std::to_string(route[i]) + "\n  routes: [\n" + routes +
                                   "  ]\n}\n";
        nodes_.push_back(std::make_unique<NatsProcess>(client[i], config));
    }
    for (auto& node : nodes_) node->start_no_wait();
    for (auto& node : nodes_) node->wait_accepting();
}

std::vector<std::string> NatsCluster::urls() const {
    std::vector<std::string> out;
    for (const auto& node : nodes_) out.push_back(node->url());
    return out;
}

std::string NatsCluster::url_list() const {
    std::string out;
    for (const auto& node : nodes_) out += (out.empty() ? "" : ",") + node->url();
    return out;
}

}  // namespace vigie::test
