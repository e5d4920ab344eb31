// SPDX-License-Identifier: EUPL-1.2
#include "tests/outputs/hub_client.hpp"

#include <stdexcept>

namespace vigie::test {

HubClient::HubClient(const std::string& url) {
    natsOptions* o = nullptr;
    natsOptions_Create(&o);
    natsOptions_SetURL(o, url.c_str());
    natsOptions_SetMaxReconnect(o, -1);
    natsOptions_SetReconnectWait(o, 200);
    const natsStatus s = natsConnection_Connect(&nc_, o);
    natsOptions_Destroy(o);
    if (s != NATS_OK || natsConnection_JetStream(&js_, nc_, nullptr) != NATS_OK)
        throw std::runtime_error("test hub client cannot connect to " + url);
}

HubClient::~HubClient() {
    jsCtx_Destroy(js_);
    natsConnection_Destroy(nc_);
}

void HubClient::create_stream() {
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    const char* subjects[] = {"alerts.>"};
    cfg.Name = "HUB";
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    cfg.Duplicates = 120LL * 1000 * 1000 * 1000;  // nanoseconds
    jsStreamInfo* info = nullptr;
    const natsStatus s = js_AddStream(&info, js_, &cfg, nullptr, nullptr);
    jsStreamInfo_Destroy(info);
    if (s != NATS_OK) throw std::runtime_error("cannot create the HUB stream");
}

uint64_t HubClient::stream_messages() {
    jsStreamInfo* info = nullptr;
    if (js_GetStreamInfo(&info, js_, "HUB", nullptr, nullptr) != NATS_OK) return 0;
    const uint64_t n = info->State.Msgs;
    jsStreamInfo_Destroy(info);
    return n;
}

std::vector<StoredAlert> HubClient::all() {
    std::vector<StoredAlert> out;
    const uint64_t n = stream_messages();
    for (uint64_t seq = 1; seq <= n; ++seq) {
        natsMsg* msg = nullptr;
        if (js_GetMsg(&msg, js_, "HUB", seq, nullptr, nullptr) != NATS_OK)
            throw std::runtime_error("cannot read HUB message " + std::to_string(seq));
        const char* uid = "";
        natsMsgHeader_Get(msg, "Nats-Msg-Id", &uid);
        out.push_back(
            {natsMsg_GetSubject(msg), uid,
             std::string(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)))});
        natsMsg_Destroy(msg);
    }
    return out;
}

}  // namespace vigie::test
