// SPDX-License-Identifier: EUPL-1.2
#include "service/nats/startup_retry.hpp"

#include <algorithm>
#include <csignal>
#include <thread>

#include "core/nats_servers.hpp"

namespace vigie {

namespace {

// A JetStream API error that the cluster's state explains, and that passes with it.
bool transient_js(jsErrCode jerr) {
    switch (jerr) {
        case JSClusterNoPeersErr:    // a replica's node is down: no placement yet
        case JSClusterNotAvailErr:   // "JetStream system temporarily unavailable"
        case JSClusterNotLeaderErr:  // an election is under way
        case JSClusterNotAssignedErr:
        case JSClusterPeerNotMemberErr:
        case JSInsufficientResourcesErr:  // a node down holds the room the stream needs
        case JSStreamOfflineErr:
        case JSStreamNameExistErr:    // another worker created it meanwhile
        case JSConsumerNameExistErr:  // idem
            return true;
        default:
            return false;  // the server refused what we asked: waiting will not change it
    }
}

}  // namespace

std::string describe(natsStatus s, jsErrCode jerr) {
    natsStatus last = NATS_OK;
    const char* text = nats_GetLastError(&last);
    // The thread's last error only when it is this failure's (an input's fetch thread also
    // leaves harmless timeouts there).
    std::string out = (text && *text && last == s) ? text : natsStatus_GetText(s);
    // The client's text starts with its own source place: "(conn.c:2088): No server ...".
    if (out.size() > 2 && out[0] == '(') {
        const size_t end = out.find("): ");
        if (end != std::string::npos) out.erase(0, end + 3);
    }
    if (jerr != 0) out += " (JetStream error " + std::to_string(static_cast<int>(jerr)) + ")";
    return out;
}

bool transient(natsStatus s, jsErrCode jerr) {
    if (jerr != 0) return transient_js(jerr);
    switch (s) {
        case NATS_NO_SERVER:
        case NATS_IO_ERROR:
        case NATS_TIMEOUT:
        case NATS_NO_RESPONDERS:
        case NATS_CONNECTION_CLOSED:
        case NATS_CONNECTION_DISCONNECTED:
        case NATS_STALE_CONNECTION:
        case NATS_NOT_YET_CONNECTED:
            return true;
        default:
            return false;
    }
}

void fail(const std::string& what, natsStatus s, jsErrCode jerr) {
    throw SetupFailure(what + ": " + describe(s, jerr), transient(s, jerr));
}

std::string server_list(const std::vector<std::string>& servers) {
    return redacted_nats_servers(servers);
}

bool wait_unless_stopped(std::chrono::milliseconds wait) {
    const auto end = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < end) {
        if (stop_signal_pending()) return false;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
            std::chrono::milliseconds(50), end - std::chrono::steady_clock::now()));
    }
    return !stop_signal_pending();
}

std::optional<std::chrono::milliseconds> StartupClock::next_wait() {
    using std::chrono::milliseconds;
    const auto wait = backoff_;
    backoff_ = std::min(backoff_ * 2, milliseconds(5000));
    if (limit_.count() == 0) return wait;
    const auto left = limit_ - (std::chrono::steady_clock::now() - start_);
    if (left <= std::chrono::steady_clock::duration::zero()) return std::nullopt;
    return std::min(wait, std::chrono::duration_cast<milliseconds>(left) + milliseconds(1));
}

bool stop_signal_pending() {
    sigset_t pending;
    sigemptyset(&pending);
    if (sigpending(&pending) != 0) return false;
    return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1;
}

}  // namespace vigie
