// SPDX-License-Identifier: EUPL-1.2
#include "service/nats/indicator_exchange.hpp"

#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace vigie {

IndicatorExchange::IndicatorExchange(const NatsSettings& nats, std::string stream,
                                     std::string subject, Logger& log, Receiver receive)
    : log_(log), subject_(std::move(subject)), receive_(std::move(receive)) {
    instance_ = std::to_string(::getpid()) + "-" +
                std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    events_.log = &log;
    NatsSettings settings = nats;
    settings.stream = std::move(stream);
    settings.subjects = subject_;
    // As highly available as the events stream, but without its limits: a worker started
    // later replays every indicator from the stream's start.
    settings.stream_settings = NatsStreamSettings{.replicas = nats.stream_settings.replicas};
    open_jetstream_stream(settings, events_, handles_);
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Ordered =
        true;  // an ephemeral consumer from the stream's start, gaps recovered by the library
    so.Config.DeliverPolicy = js_DeliverAll;
    jsErrCode jerr{};
    natsStatus s = js_Subscribe(&handles_.subscription, handles_.js, subject_.c_str(), on_message,
                                this, nullptr, &so, &jerr);
    if (s != NATS_OK) {
        close_jetstream(handles_);
        throw std::runtime_error("indicator exchange: cannot subscribe to " + subject_ + ": " +
                                 natsStatus_GetText(s));
    }
    log_.info("indicator exchange on NATS", {{"subject", subject_}, {"stream", settings.stream}});
}

IndicatorExchange::~IndicatorExchange() {
    events_.closing = true;
    close_jetstream(handles_);
}

void IndicatorExchange::on_message(natsConnection*, natsSubscription*, natsMsg* msg,
                                   void* closure) {
    auto* self = static_cast<IndicatorExchange*>(closure);
    const char* origin = nullptr;
    const char* source = nullptr;
    natsMsgHeader_Get(msg, "Vigie-Origin", &origin);
    natsMsgHeader_Get(msg, "Vigie-Source", &source);
    if (origin == nullptr || self->instance_ != origin) {
        const std::string body(natsMsg_GetData(msg),
                               static_cast<size_t>(natsMsg_GetDataLength(msg)));
        self->receive_(source != nullptr ? source : "nats", body);
    }
    natsMsg_Destroy(msg);
}

bool IndicatorExchange::publish(const std::string& source,
                                const std::vector<std::string>& objects) {
    // In messages of at most ~512 KiB: under NATS's default max_payload (1 MiB).
    constexpr size_t kMessageBytes = 512 << 10;
    std::string body;
    bool ok = true;
    for (size_t i = 0; i < objects.size(); ++i) {
        body += body.empty() ? '[' : ',';
        body += objects[i];
        if (body.size() >= kMessageBytes || i + 1 == objects.size()) {
            body += ']';
            ok = publish_message(source, body) && ok;
            body.clear();
        }
    }
    return ok;
}

bool IndicatorExchange::publish_message(const std::string& source, const std::string& body) {
    natsMsg* msg = nullptr;
    natsStatus s =
        natsMsg_Create(&msg, subject_.c_str(), nullptr, body.data(), static_cast<int>(body.size()));
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, "Vigie-Origin", instance_.c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, "Vigie-Source", source.c_str());
    jsPubAck* ack = nullptr;
    jsErrCode jerr{};
    if (s == NATS_OK) s = js_PublishMsg(&ack, handles_.js, msg, nullptr, &jerr);
    jsPubAck_Destroy(ack);
    natsMsg_Destroy(msg);
    if (s != NATS_OK) {
        log_.warn("indicator exchange: publish failed", {{"error", natsStatus_GetText(s)}});
        return false;
    }
    return true;
}

}  // namespace vigie
