// SPDX-License-Identifier: EUPL-1.2
#include "service/nats/pull_fetch.hpp"

#include <cstring>

namespace vigie {

namespace {

enum class Kind { Message, Heartbeat, End };

// A status message of the server (no data, a Status header) ends its request: 404 no
// messages, 408 request expired, 409 (consumer deleted, leadership change...); 100 is an
// idle heartbeat. Anything else is a stream's message, even an empty one.
Kind kind_of(natsMsg* msg) {
    if (natsMsg_GetDataLength(msg) > 0) return Kind::Message;
    const char* status = nullptr;
    if (natsMsgHeader_Get(msg, "Status", &status) != NATS_OK || status == nullptr)
        return Kind::Message;
    return std::strncmp(status, "100", 3) == 0 ? Kind::Heartbeat : Kind::End;
}

}  // namespace

std::string pull_subject(const std::string& stream, const std::string& consumer) {
    return "$JS.API.CONSUMER.MSG.NEXT." + stream + "." + consumer;
}

std::string new_inbox(const std::string& prefix) {
    natsInbox* inbox = nullptr;
    if (natsInbox_Create(&inbox) != NATS_OK || inbox == nullptr) return {};
    std::string name = inbox;  // _INBOX.<unique>
    natsInbox_Destroy(inbox);
    if (!prefix.empty()) name = prefix + name.substr(name.find('.'));
    return name;
}

natsStatus pull_fetch(natsConnection* nc, natsSubscription* inbox_sub, const std::string& subject,
                      size_t batch, std::chrono::milliseconds expires, std::vector<natsMsg*>& out) {
    using Clock = std::chrono::steady_clock;
    out.clear();
    natsMsg* msg = nullptr;
    // Late answers first, without waiting (a timeout of 0 only looks).
    while (out.size() < batch && natsSubscription_NextMsg(&msg, inbox_sub, 0) == NATS_OK) {
        if (kind_of(msg) == Kind::Message) {
            out.push_back(msg);
        } else {
            natsMsg_Destroy(msg);
        }
    }
    if (out.size() == batch) return NATS_OK;
    const std::string request =
        "{\"batch\":" + std::to_string(batch - out.size()) +
        ",\"expires\":" + std::to_string(std::chrono::nanoseconds(expires).count()) +
        ",\"no_wait\":true}";
    natsStatus s = natsConnection_PublishRequestString(
        nc, subject.c_str(), natsSubscription_GetSubject(inbox_sub), request.c_str());
    const auto deadline = Clock::now() + expires + expires / 4;
    while (s == NATS_OK && out.size() < batch) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            s = NATS_TIMEOUT;
            break;
        }
        s = natsSubscription_NextMsg(&msg, inbox_sub, left.count());
        if (s != NATS_OK) break;
        const Kind kind = kind_of(msg);
        if (kind == Kind::Message) {
            out.push_back(msg);
            continue;
        }
        natsMsg_Destroy(msg);
        if (kind == Kind::End) s = NATS_NOT_FOUND;
    }
    if (!out.empty()) return NATS_OK;
    return s == NATS_OK ? NATS_NOT_FOUND : s;
}

natsStatus reply_to_message(natsConnection* nc, natsMsg* msg, const char* kind) {
    const char* reply = natsMsg_GetReply(msg);
    if (reply == nullptr || *reply == '\0') return NATS_ILLEGAL_STATE;
    return natsConnection_PublishString(nc, reply, kind);
}

}  // namespace vigie
