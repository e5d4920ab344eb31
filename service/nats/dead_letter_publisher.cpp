// SPDX-License-Identifier: EUPL-1.2
#include "service/nats/dead_letter_publisher.hpp"

#include "service/nats/message_batch.hpp"
#include "service/nats/startup_retry.hpp"  // describe

namespace vigie {

namespace {

// The original's stream and sequence, from its JetStream metadata (allocates: dead letters
// are rare, and the reply subject's layout differs with domains).
bool original_position(natsMsg* original, std::string& stream, uint64_t& sequence) {
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, original) != NATS_OK || !meta) return false;
    stream = meta->Stream ? meta->Stream : "";
    sequence = meta->Sequence.Stream;
    jsMsgMetaData_Destroy(meta);
    return !stream.empty() && sequence != 0;
}

}  // namespace

std::string dead_letter_id(std::string_view stream, uint64_t sequence) {
    std::string id = "dl-";
    id.append(stream).append("-").append(std::to_string(sequence));
    return id;
}

Result<StoredDeadLetter> publish_dead_letter(jsCtx* js, const std::string& subject,
                                             natsMsg* original, const std::string& reason,
                                             int64_t wait_ms) {
    natsMsg* copy = nullptr;
    natsStatus s = natsMsg_Create(&copy, subject.c_str(), nullptr, natsMsg_GetData(original),
                                  natsMsg_GetDataLength(original));
    if (s == NATS_OK) s = natsMsgHeader_Set(copy, "Vigie-Error", header_value(reason).c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(copy, "Vigie-Subject", natsMsg_GetSubject(original));
    std::string stream, id;
    uint64_t sequence = 0;
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = wait_ms;
    if (original_position(original, stream, sequence)) {
        id = dead_letter_id(stream, sequence);
        options.MsgId = id.c_str();
    }
    jsPubAck* ack = nullptr;
    jsErrCode jerr{};
    if (s == NATS_OK) s = js_PublishMsg(&ack, js, copy, &options, &jerr);
    natsMsg_Destroy(copy);
    if (s != NATS_OK || !ack) {
        jsPubAck_Destroy(ack);
        return Error{describe(s, jerr)};
    }
    StoredDeadLetter stored{ack->Duplicate, ack->Stream ? ack->Stream : "", ack->Sequence};
    jsPubAck_Destroy(ack);
    return stored;
}

bool no_stream_stores(jsCtx* js, const std::string& subject) {
    jsOptions options;
    jsOptions_Init(&options);
    options.Stream.Info.SubjectsFilter = subject.c_str();  // the names of streams that match
    jsStreamNamesList* list = nullptr;
    const natsStatus s = js_StreamNames(&list, js, &options, nullptr);
    jsStreamNamesList_Destroy(list);
    return s == NATS_NOT_FOUND;
}

}  // namespace vigie
