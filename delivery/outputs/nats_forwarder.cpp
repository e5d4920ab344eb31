// SPDX-License-Identifier: EUPL-1.2
#include "delivery/outputs/nats_forwarder.hpp"

#include <nats/nats.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "core/nats_servers.hpp"
#include "delivery/outputs/nats_forwarder_shared.hpp"

namespace vigie {

namespace {

std::string describe(natsStatus s) {
    natsStatus last = NATS_OK;
    const char* text = nats_GetLastError(&last);
    return (text && *text) ? text : natsStatus_GetText(s);
}

const char* status_name(natsConnStatus status) {
    switch (status) {
        case NATS_CONN_STATUS_DISCONNECTED:
            return "disconnected";
        case NATS_CONN_STATUS_CONNECTING:
            return "connecting";
        case NATS_CONN_STATUS_CONNECTED:
            return "connected";
        case NATS_CONN_STATUS_CLOSED:
            return "closed";
        case NATS_CONN_STATUS_RECONNECTING:
            return "reconnecting";
        default:
            return "draining";
    }
}

constexpr std::chrono::seconds kWatchEvery{1};
constexpr std::chrono::milliseconds kNoStreamRetry{2000};
// A connection the library closed is made again after this long (it gives up no more).
constexpr std::chrono::milliseconds kClosedRebuildAfter{2000};

// Logs the first rebuilds and then every 2^k-th: a hub down for hours costs a few lines.
bool worth_logging(uint64_t rebuilds) {
    return (rebuilds & (rebuilds - 1)) == 0;
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

NatsForwarder::NatsForwarder(std::string name, const NatsOutputSettings& settings, OutputLog log,
                             std::chrono::milliseconds rebuild_after)
    : name_(std::move(name)),
      settings_(settings),
      batch_(settings.batch > 0 ? settings.batch : 1),
      rebuild_after_(rebuild_after),
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
        s = natsOptions_SetRetryOnFailedConnect(options_, true, nats_forwarder_on_connected,
                                                shared_);
    if (s == NATS_OK) s = natsOptions_SetTimeout(options_, 2000);
    if (s == NATS_OK)
        s = natsOptions_SetDisconnectedCB(options_, nats_forwarder_on_disconnected, shared_);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectedCB(options_, nats_forwarder_on_reconnected, shared_);
    if (s == NATS_OK) s = natsOptions_SetClosedCB(options_, nats_forwarder_on_closed, shared_);
    if (s == NATS_OK) s = natsOptions_SetErrorHandler(options_, nats_forwarder_on_error, shared_);
    if (s == NATS_OK && !settings_.credentials.empty())
        s = natsOptions_SetUserCredentialsFromFiles(options_, settings_.credentials.c_str(),
                                                    nullptr);
    Result<Handles> opened =
        s == NATS_OK ? open() : Error{"nats " + servers_text() + ": " + describe(s)};
    if (!opened) {
        natsOptions_Destroy(options_);
        throw std::runtime_error("output " + name_ + ": " + opened.error().message);
    }
    connection_ = opened->connection;
    js_ = opened->js;
    if (natsConnection_Status(connection_) != NATS_CONN_STATUS_CONNECTED)
        shared_->note(LogLevel::Warning, "hub unreachable at start-up; retrying", servers_text());
    built_at_ = std::chrono::steady_clock::now();
    if (rebuild_after_.count() > 0) watchdog_ = std::thread([this] { watch(); });
}

Result<NatsForwarder::Handles> NatsForwarder::open() {
    // NATS_NOT_YET_CONNECTED: the hub is down, the library retries in the background.
    natsConnection* connection = nullptr;
    natsStatus s = natsConnection_Connect(&connection, options_);
    if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED)
        return Error{"cannot connect to " + servers_text() + ": " + describe(s)};
    shared_->current.store(connection);
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = settings_.ack_timeout_ms;
    jo.PublishAsync.MaxPending = static_cast<int64_t>(batch_);
    jo.PublishAsync.AckHandler = nats_forwarder_on_ack;
    jo.PublishAsync.AckHandlerClosure = shared_;
    jsCtx* js = nullptr;
    s = natsConnection_JetStream(&js, connection, &jo);
    if (s != NATS_OK) {
        natsConnection_Destroy(connection);
        return Error{"JetStream context: " + describe(s)};
    }
    return Handles{connection, js};
}

NatsForwarder::~NatsForwarder() {
    {
        std::lock_guard lock(watch_mutex_);
        stopping_ = true;
    }
    watch_wake_.notify_all();
    if (watchdog_.joinable()) watchdog_.join();
    shared_->closing.store(true);
    shared_->current.store(nullptr);
    jsCtx_Destroy(js_);
    natsConnection_Close(connection_);
    natsConnection_Destroy(connection_);
    natsOptions_Destroy(options_);
}

uint64_t NatsForwarder::rebuilds() const {
    return rebuilds_.load();
}

void NatsForwarder::watch() {
    std::unique_lock lock(watch_mutex_);
    while (!watch_wake_.wait_for(lock, kWatchEvery, [&] { return stopping_; })) {
        lock.unlock();
        check_connection();
        lock.lock();
    }
}

// libnats reconnects a connection that has been up by itself; the one that never came up
// (the hub died during the first connection) it may leave unconnected for minutes after the
// hub is back, and one it closed (repeated authorization errors) it never retries.
void NatsForwarder::check_connection() {
    natsConnStatus status = NATS_CONN_STATUS_DISCONNECTED;
    {
        std::lock_guard lock(handles_mutex_);
        status = natsConnection_Status(connection_);
    }
    if (status == NATS_CONN_STATUS_CONNECTED) came_up_ = true;
    const auto age = std::chrono::steady_clock::now() - built_at_;
    // Closed is final: no need to wait as long as for one still trying.
    if (status == NATS_CONN_STATUS_CLOSED ? age >= std::min(rebuild_after_, kClosedRebuildAfter)
                                          : !came_up_ && age >= rebuild_after_)
        rebuild();
}

void NatsForwarder::rebuild() {
    std::lock_guard use(use_mutex_);  // no deliver() in progress
    if (natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED) return;
    const uint64_t n = rebuilds_.fetch_add(1) + 1;
    if (worth_logging(n)) {
        const auto age = std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::steady_clock::now() - built_at_);
        shared_->note(LogLevel::Warning, "hub connection not up; making a new one",
                      servers_text() + ": " + status_name(natsConnection_Status(connection_)) +
                          ", made " + std::to_string(age.count()) + " s ago (rebuild " +
                          std::to_string(n) + ")");
    }
    built_at_ = std::chrono::steady_clock::now();
    const Result<Handles> fresh = open();
    if (!fresh) {
        shared_->current.store(connection_);
        if (worth_logging(n))
            shared_->note(LogLevel::Error, "cannot make a new hub connection; keeping the old",
                          fresh.error().message);
        return;
    }
    natsConnection* old = connection_;
    jsCtx* old_js = js_;
    {
        std::lock_guard lock(handles_mutex_);
        connection_ = fresh->connection;
        js_ = fresh->js;
    }
    came_up_ = false;
    jsCtx_Destroy(old_js);
    natsConnection_Close(old);
    natsConnection_Destroy(old);
}

std::string NatsForwarder::servers_text() const {
    return redacted_nats_servers(settings_.servers);
}

std::string NatsForwarder::context() const {
    return name_ + ": " + servers_text();
}

bool NatsForwarder::connected() const {
    std::lock_guard lock(handles_mutex_);
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

DeliveryResult NatsForwarder::wait_for_acks(size_t batch) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(settings_.ack_timeout_ms);
    std::unique_lock lock(shared_->mutex);
    // Settled once every alert is acknowledged or refused: the refused ones get no answer.
    const bool settled = shared_->changed.wait_until(lock, deadline, [&] {
        return shared_->outstanding.empty() || shared_->all_outstanding_refused(batch) ||
               !shared_->error.empty() || shared_->interrupted.load();
    });
    if (shared_->outstanding.empty()) return DeliveryResult::ok();
    const size_t refused = shared_->all_outstanding_refused(batch) ? shared_->outstanding.size()
                                                                   : shared_->outstanding_denied();
    if (refused > 0)
        return DeliveryResult::refused_for_good(
            context() + ": the hub refuses this user publishing " + std::to_string(refused) +
            (refused == 1 ? " alert" : " alerts") + " (" + shared_->server_error + ")");
    if (!shared_->error.empty() && shared_->refused)
        return DeliveryResult::refused_for_good(context() + ": " + shared_->error);
    if (!shared_->error.empty()) {
        DeliveryResult failed = DeliveryResult::failed(context() + ": " + shared_->error);
        // "No responders" costs the hub nothing and is the only sign, through an agency's
        // leaf node, that the hub is away; its return is no event on this connection. So
        // it is retried every kNoStreamRetry rather than on a backoff growing to 30 s.
        if (shared_->no_stream) failed.retry_after = kNoStreamRetry;
        return failed;
    }
    if (!settled) {
        // A subscription violation on the inbox (no acks can come back) shows here.
        const std::string hub_said =
            shared_->server_error.empty() ? "" : " (the hub said: " + shared_->server_error + ")";
        return DeliveryResult::failed(context() + ": " +
                                      std::to_string(shared_->outstanding.size()) +
                                      " alerts not acknowledged within " +
                                      std::to_string(settings_.ack_timeout_ms) + " ms" + hub_said);
    }
    return DeliveryResult::failed(context() + ": interrupted");
}

DeliveryResult NatsForwarder::deliver(std::span<const ForwardedAlert> alerts) {
    if (shared_->interrupted.load()) return DeliveryResult::failed(context() + ": interrupted");
    std::lock_guard use(use_mutex_);  // the watchdog does not replace the connection meanwhile
    // While the hub is away, fail fast: publishing into the client's reconnect buffer
    // would only wait for the acknowledgement timeout.
    if (const natsConnStatus status = natsConnection_Status(connection_);
        status != NATS_CONN_STATUS_CONNECTED)
        return DeliveryResult::failed(context() + ": not connected to the hub (" +
                                      status_name(status) + ")");
    {
        std::lock_guard lock(shared_->mutex);
        shared_->begin_attempt(alerts, settings_.subject_prefix);
    }
    DeliveryResult result = publish_all(alerts);
    if (result.delivered) result = wait_for_acks(alerts.size());
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
