// SPDX-License-Identifier: EUPL-1.2
#include "tests/outputs/output_test_support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace vigie::test {

TempDir::TempDir() {
    char dir[] = "/tmp/vigie-outputs-XXXXXX";
    if (!::mkdtemp(dir)) throw std::runtime_error("mkdtemp failed");
    path = dir;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool eventually(const std::function<bool()>& done, double seconds) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!done()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval
    }
    return true;
}

namespace {

std::string alert_line(const std::string& uid, const std::string& agency) {
    return R"({"uid":")" + uid + R"(","agency":")" + agency + R"("})";
}

}  // namespace

std::string alert_record(const std::string& uid, const std::string& agency, Level level,
                         const std::string& rule, const std::string& tags) {
    std::string out;
    append_envelope(AlertRouting{uid, agency, rule, tags, level}, alert_line(uid, agency), out);
    out.pop_back();  // the spool stores records without the final newline
    return out;
}

AlertRecord make_record(const std::string& uid, const std::string& agency, Level level,
                        const std::string& rule, const std::string& tags) {
    AlertRecord r;
    r.uid = uid;
    r.agency = agency;
    r.rule_id = rule;
    r.tags = tags;
    r.level = level;
    r.tlp = tlp_of_tags(tags);
    r.text = alert_line(uid, agency);
    return r;
}

std::vector<AlertRecord> make_records(const std::string& prefix, size_t n,
                                      const std::string& agency, Level level) {
    std::vector<AlertRecord> records;
    for (size_t i = 0; i < n; ++i)
        records.push_back(make_record(prefix + "-" + std::to_string(i), agency, level));
    return records;
}

void parse_records(AlertBatch& batch) {
    batch.alerts.clear();
    for (const std::string& record : batch.records) {
        ForwardedAlert a;
        if (!parse_envelope(record, a.routing, a.line)) throw std::runtime_error("bad test record");
        a.appended_unix_ms = 1700000000123;
        batch.alerts.push_back(a);
    }
}

AlertBatch make_alerts(const std::string& prefix, size_t n, const std::string& agency,
                       Level level) {
    AlertBatch batch;
    for (size_t i = 0; i < n; ++i)
        batch.records.push_back(alert_record(prefix + "-" + std::to_string(i), agency, level));
    parse_records(batch);
    return batch;
}

namespace {

pid_t spawn(const std::vector<std::string>& argv, bool quiet) {
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (quiet) {
            const int null = ::open("/dev/null", O_WRONLY);
            ::dup2(null, 1);
            ::dup2(null, 2);
        }
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    return pid;
}

}  // namespace

HubServer::HubServer() : port_(free_loopback_port()), exe_(find_nats_server()) {
    if (exe_.empty()) throw std::runtime_error("nats-server is not installed");
    url_ = "nats://127.0.0.1:" + std::to_string(port_);
    start();
}

HubServer::~HubServer() {
    stop();
}

void HubServer::start() {
    pid_ = spawn({exe_, "-js", "-a", "127.0.0.1", "-p", std::to_string(port_), "-sd", store_.path},
                 true);
    for (int i = 0; i < 200; ++i) {
        if (loopback_port_accepts(port_)) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // poll interval
    }
    throw std::runtime_error("nats-server did not start on port " + std::to_string(port_));
}

void HubServer::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv) : pid_(spawn(argv, false)) {}

ChildProcess::~ChildProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
}

}  // namespace vigie::test
