#include "outputs/nats_forwarder.hpp"

#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <unordered_set>
#include <vector>

namespace vigie {

// Shared with the client library's threads (acknowledgements, connection events).
struct NatsForwarder::Shared {
    std::string name;
    OutputLog log;
    std::atomic<bool> closing{false};
    std::atomic<bool> interrupted{false};
    std::mutex mutex;
    std::condition_variable changed;
    std::unordered_set<std::string> outstanding;  // uids of the attempt not yet acknowledged
    std::string error;                            // the attempt's first negative ack
    bool refused = false;  // that ack refuses the message itself (over the stream's max size)

    void note(LogLevel level, std::string_view message, std::string_view detail = {}) {
        if (log && !closing.load()) log(level, name, message, detail);
    }
};

namespace {

std::string describe(natsStatus s) {
    natsStatus last = NATS_OK;
    const char* text = nats_GetLastError(&last);
    return (text && *text) ? text : natsStatus_GetText(s);
}

// The library may call back after the forwarder is gone (a late acknowledgement, the
// "closed" event), so what the callbacks use is never freed: one small object per
// forwarder ever created, reachable from here.
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

void on_ack(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* err, void* closure) {
    auto* shared = static_cast<NatsForwarder::Shared*>(closure);
    const char* uid = nullptr;
    natsMsgHeader_Get(msg, "Nats-Msg-Id", &uid);
    if (uid && !shared->closing.load()) {
        std::lock_guard lock(shared->mutex);
        // An acknowledgement says the stream holds the alert, whichever attempt sent it.
        if (ack) shared->outstanding.erase(uid);
        if (err && shared->error.empty()) {
            shared->refused = err->ErrCode == JSStreamMessageExceedsMaximumErr;
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

void on_disconnected(natsConnection*, void* closure) {
    static_cast<NatsForwarder::Shared*>(closure)->note(LogLevel::Warning,
                                                       "hub disconnected; reconnecting");
}

void on_connected(natsConnection*, void* closure) {
    static_cast<NatsForwarder::Shared*>(closure)->note(LogLevel::Info, "hub connected");
}

void on_reconnected(natsConnection*, void* closure) {
    static_cast<NatsForwarder::Shared*>(closure)->note(LogLevel::Info, "hub reconnected");
}

}  // namespace

std::string nats_alert_subject(std::string_view prefix, std::string_view agency) {
    std::string subject(prefix);
    subject += '.';
    if (agency.empty()) agency = "unknown";
    for (char c : agency) {
        const bool bad =
            c == '.' || c == '*' || c == '>' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
        subject += bad ? '_' : c;
    }
    return subject;
}

NatsForwarder::NatsForwarder(std::string name, const NatsOutputSettings& settings, OutputLog log)
    : name_(std::move(name)),
      settings_(settings),
      batch_(settings.batch > 0 ? settings.batch : 1),
      shared_(keep_forever(name_, std::move(log))) {
    std::vector<const char*> servers;
    for (const std::string& url : settings_.servers) servers.push_back(url.c_str());
    natsStatus s = natsOptions_Create(&options_);
    if (s == NATS_OK)
        s = natsOptions_SetServers(options_, servers.data(), static_cast<int>(servers.size()));
    if (s == NATS_OK) s = natsOptions_SetNoRandomize(options_, true);
    if (s == NATS_OK && !settings_.inbox_prefix.empty())
        s = natsOptions_SetCustomInboxPrefix(options_, settings_.inbox_prefix.c_str());
    if (s == NATS_OK) s = natsOptions_SetName(options_, "vigie-forwarder");
    // The hub may be down for hours: reconnect forever, and start even when it is down
    // (with a connected callback the first connection is retried in the background; with
    // none, natsConnection_Connect would block retrying).
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(options_, -1);
    if (s == NATS_OK) s = natsOptions_SetReconnectWait(options_, 1000);
    if (s == NATS_OK)
        s = natsOptions_SetRetryOnFailedConnect(options_, true, on_connected, shared_);
    if (s == NATS_OK) s = natsOptions_SetTimeout(options_, 2000);
    if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(options_, on_disconnected, shared_);
    if (s == NATS_OK) s = natsOptions_SetReconnectedCB(options_, on_reconnected, shared_);
    if (s == NATS_OK && !settings_.credentials.empty())
        s = natsOptions_SetUserCredentialsFromFiles(options_, settings_.credentials.c_str(),
                                                    nullptr);
    if (s != NATS_OK) {
        natsOptions_Destroy(options_);
        throw std::runtime_error("output " + name_ + ": nats " + servers_text() + ": " +
                                 describe(s));
    }
    s = natsConnection_Connect(&connection_, options_);
    if (s == NATS_NOT_YET_CONNECTED)
        shared_->note(LogLevel::Warning, "hub unreachable at start-up; retrying", servers_text());
    else if (s != NATS_OK) {
        natsOptions_Destroy(options_);
        throw std::runtime_error("output " + name_ + ": cannot connect to " + servers_text() + ": " +
                                 describe(s));
    }
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = settings_.ack_timeout_ms;
    jo.PublishAsync.MaxPending = static_cast<int64_t>(batch_);
    jo.PublishAsync.AckHandler = on_ack;
    jo.PublishAsync.AckHandlerClosure = shared_;
    s = natsConnection_JetStream(&js_, connection_, &jo);
    if (s != NATS_OK) {
        natsConnection_Destroy(connection_);
        natsOptions_Destroy(options_);
        throw std::runtime_error("output " + name_ + ": JetStream context: " + describe(s));
    }
}

NatsForwarder::~NatsForwarder() {
    shared_->closing.store(true);
    jsCtx_Destroy(js_);
    natsConnection_Close(connection_);
    natsConnection_Destroy(connection_);
    natsOptions_Destroy(options_);
}

std::string NatsForwarder::servers_text() const {
    std::string out;
    for (const auto& url : settings_.servers) out += (out.empty() ? "" : ",") + url;
    return out;
}

std::string NatsForwarder::context() const {
    return name_ + ": " + servers_text();
}

bool NatsForwarder::connected() const {
    return natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED;
}

void NatsForwarder::interrupt() {
    shared_->interrupted.store(true);
    std::lock_guard lock(shared_->mutex);
    shared_->changed.notify_all();
}

DeliveryResult NatsForwarder::publish_all(std::span<const ForwardedAlert> alerts) {
    std::string uid;
    for (const ForwardedAlert& alert : alerts) {
        const std::string subject =
            nats_alert_subject(settings_.subject_prefix, alert.routing.agency);
        uid.assign(alert.routing.uid);
        natsMsg* msg = nullptr;
        natsStatus s = natsMsg_Create(&msg, subject.c_str(), nullptr, alert.line.data(),
                                      static_cast<int>(alert.line.size()));
        if (s == NATS_OK) s = natsMsgHeader_Set(msg, "Nats-Msg-Id", uid.c_str());
        if (s == NATS_OK) s = js_PublishMsgAsync(js_, &msg, nullptr);
        natsMsg_Destroy(msg);  // null once the library took it
        std::string error;
        if (s != NATS_OK) error = context() + ": publish to " + subject + ": " + describe(s);
        // Over the hub's max_payload: this alert can never be published.
        if (s == NATS_MAX_PAYLOAD)
            return DeliveryResult::refused_for_good(
                error + " (" + std::to_string(alert.line.size()) + " bytes, the hub accepts " +
                std::to_string(natsConnection_GetMaxPayload(connection_)) + ")");
        if (s != NATS_OK) return DeliveryResult::failed(error);
    }
    return DeliveryResult::ok();
}

DeliveryResult NatsForwarder::wait_for_acks() {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(settings_.ack_timeout_ms);
    std::unique_lock lock(shared_->mutex);
    const bool settled = shared_->changed.wait_until(lock, deadline, [&] {
        return shared_->outstanding.empty() || !shared_->error.empty() ||
               shared_->interrupted.load();
    });
    if (!shared_->error.empty())
        return shared_->refused
                   ? DeliveryResult::refused_for_good(context() + ": " + shared_->error)
                   : DeliveryResult::failed(context() + ": " + shared_->error);
    if (shared_->outstanding.empty()) return DeliveryResult::ok();
    if (!settled)
        return DeliveryResult::failed(
            context() + ": " + std::to_string(shared_->outstanding.size()) +
            " alerts not acknowledged within " + std::to_string(settings_.ack_timeout_ms) + " ms");
    return DeliveryResult::failed(context() + ": interrupted");
}

DeliveryResult NatsForwarder::deliver(std::span<const ForwardedAlert> alerts) {
    if (shared_->interrupted.load()) return DeliveryResult::failed(context() + ": interrupted");
    // While the hub is away, fail fast: publishing into the client's reconnect buffer
    // would only wait for the acknowledgement timeout.
    if (!connected()) return DeliveryResult::failed(context() + ": not connected to the hub");
    {
        std::lock_guard lock(shared_->mutex);
        shared_->outstanding.clear();
        shared_->error.clear();
        shared_->refused = false;
        for (const ForwardedAlert& alert : alerts) shared_->outstanding.emplace(alert.routing.uid);
    }
    DeliveryResult result = publish_all(alerts);
    if (result.delivered) result = wait_for_acks();
    if (!result.delivered) {
        // Forget what was not acknowledged: the retry publishes it again, and a late
        // acknowledgement of this attempt is dropped by the library (or still counts,
        // being proof that the stream holds the alert).
        natsMsgList pending{};
        if (js_PublishAsyncGetPendingList(&pending, js_) == NATS_OK) natsMsgList_Destroy(&pending);
    }
    return result;
}

}  // namespace vigie
