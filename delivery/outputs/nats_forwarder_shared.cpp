// SPDX-License-Identifier: EUPL-1.2
#include "delivery/outputs/nats_forwarder_shared.hpp"

#include <vector>

namespace vigie {

namespace {

// A denial older than this is forgotten: the map stays as small as the refused subjects.
constexpr std::chrono::minutes kDeniedMemory{10};

NatsForwarder::Shared* shared_of(void* closure) {
    return static_cast<NatsForwarder::Shared*>(closure);
}

}  // namespace

std::string nats_denied_publish_subject(std::string_view server_error) {
    constexpr std::string_view kPrefix = "Permissions Violation for Publish to ";
    const size_t at = server_error.find(kPrefix);
    if (at == std::string_view::npos) return {};
    std::string_view rest = server_error.substr(at + kPrefix.size());
    if (!rest.empty() && rest.front() == '"') {
        rest.remove_prefix(1);
        const size_t end = rest.find('"');
        return end == std::string_view::npos ? std::string() : std::string(rest.substr(0, end));
    }
    return std::string(rest.substr(0, rest.find_first_of(" \t\r\n'")));
}

size_t NatsForwarder::Shared::outstanding_denied() const {
    if (denials_in_attempt == 0) return 0;
    size_t n = 0;
    for (const auto& [uid, subject] : outstanding) {
        const auto it = denied.find(subject);
        if (it != denied.end() && it->second >= attempt_start) ++n;
    }
    return n;
}

bool NatsForwarder::Shared::all_outstanding_refused(size_t batch) const {
    if (denials_in_attempt == 0) return false;
    // A count is no proof for one alert alone (a late refusal of an earlier attempt could
    // be counted): alone, it is dead-lettered only when its own subject was named.
    if (batch > 1 && outstanding.size() <= denials_in_attempt) return true;
    return outstanding.size() == outstanding_denied();
}

void NatsForwarder::Shared::begin_attempt(std::span<const ForwardedAlert> alerts,
                                          std::string_view subject_prefix) {
    outstanding.clear();
    error.clear();
    refused = false;
    no_stream = false;
    denials_in_attempt = 0;
    attempt_start = Clock::now();
    for (const ForwardedAlert& alert : alerts)
        outstanding.emplace(alert.routing.uid,
                            nats_alert_subject(subject_prefix, alert.routing.agency));
}

NatsForwarder::Shared* keep_forever(std::string name, OutputLog log) {
    static std::mutex mutex;
    static auto* kept = new std::vector<std::unique_ptr<NatsForwarder::Shared>>();
    auto shared = std::make_unique<NatsForwarder::Shared>();
    shared->name = std::move(name);
    shared->log = std::move(log);
    std::lock_guard lock(mutex);
    kept->push_back(std::move(shared));
    return kept->back().get();
}

void nats_forwarder_on_ack(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* err, void* closure) {
    auto* shared = shared_of(closure);
    const char* uid = nullptr;
    natsMsgHeader_Get(msg, "Nats-Msg-Id", &uid);
    if (uid && !shared->closing.load()) {
        std::lock_guard lock(shared->mutex);
        // An acknowledgement says the stream holds the alert, whichever attempt (or
        // connection) sent it.
        if (ack) shared->outstanding.erase(uid);
        if (err && shared->error.empty()) {
            shared->refused = err->ErrCode == JSStreamMessageExceedsMaximumErr;
            shared->no_stream = err->Err == NATS_NO_RESPONDERS;
            shared->error = std::string("negative ack: ") +
                            (err->ErrText ? err->ErrText : natsStatus_GetText(err->Err)) +
                            (err->ErrCode ? " (JetStream error " +
                                                std::to_string(static_cast<int>(err->ErrCode)) + ")"
                                          : std::string());
        }
        shared->changed.notify_all();
    }
    natsMsg_Destroy(msg);
}

// The server refuses a publish with an -ERR and no reply: without this handler the alert
// would only time out, again at every retry. libnats 3.4 passes the status only; the text
// (naming the subject) is the connection's last error, which a later -ERR can overwrite
// before this runs: a subject missed that way times out, and the loop's one-by-one retry
// then names it alone.
void nats_forwarder_on_error(natsConnection* nc, natsSubscription*, natsStatus status,
                             void* closure) {
    auto* shared = shared_of(closure);
    if (nc != shared->current.load() || shared->closing.load()) return;
    const char* text = nullptr;
    natsConnection_GetLastError(nc, &text);
    const std::string said = (text && *text) ? text : natsStatus_GetText(status);
    const std::string subject =
        status == NATS_NOT_PERMITTED ? nats_denied_publish_subject(said) : std::string();
    {
        std::lock_guard lock(shared->mutex);
        shared->server_error = said;
        if (!subject.empty()) {
            const auto now = NatsForwarder::Shared::Clock::now();
            std::erase_if(shared->denied,
                          [&](const auto& entry) { return now - entry.second > kDeniedMemory; });
            shared->denied[subject] = now;
            ++shared->denials_in_attempt;
            shared->changed.notify_all();
        }
    }
    // A refused subject is logged by the loop, with the alert it dead-letters.
    if (subject.empty()) shared->note(LogLevel::Warning, "hub reported an error", said);
}

void nats_forwarder_on_disconnected(natsConnection* nc, void* closure) {
    auto* shared = shared_of(closure);
    if (nc == shared->current.load())
        shared->note(LogLevel::Warning, "hub disconnected; reconnecting");
}

void nats_forwarder_on_connected(natsConnection* nc, void* closure) {
    auto* shared = shared_of(closure);
    if (nc == shared->current.load()) shared->note(LogLevel::Info, "hub connected");
}

void nats_forwarder_on_closed(natsConnection* nc, void* closure) {
    auto* shared = shared_of(closure);
    if (nc == shared->current.load())
        shared->note(LogLevel::Warning, "hub connection closed by the client library",
                     "the watchdog makes a new one");
}

void nats_forwarder_on_reconnected(natsConnection* nc, void* closure) {
    auto* shared = shared_of(closure);
    if (nc == shared->current.load()) shared->note(LogLevel::Info, "hub reconnected");
}

}  // namespace vigie
