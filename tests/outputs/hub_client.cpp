// SPDX-License-Identifier: EUPL-1.2
#include "tests/outputs/hub_client.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "tests/outputs/output_test_support.hpp"

namespace vigie::test {

HubClient::HubClient(const std::string& urls, const std::string& user,
                     const std::string& password) {
    natsOptions* o = nullptr;
    natsOptions_Create(&o);
    // natsOptions_SetURL with a comma list fails to connect in libnats 3.4.1 ("No server
    // available for connection", every server up): the list is passed as an array.
    std::vector<std::string> list;
    for (size_t start = 0; start <= urls.size();) {
        const size_t end = std::min(urls.find(',', start), urls.size());
        list.push_back(urls.substr(start, end - start));
        start = end + 1;
    }
    std::vector<const char*> servers;
    servers.reserve(list.size());
    for (const std::string& url : list) servers.push_back(url.c_str());
    natsOptions_SetServers(o, servers.data(), static_cast<int>(servers.size()));
    if (!user.empty()) natsOptions_SetUserInfo(o, user.c_str(), password.c_str());
    natsOptions_SetMaxReconnect(o, -1);
    natsOptions_SetReconnectWait(o, 200);
    natsStatus s = NATS_OK;
    eventually([&] { return (s = natsConnection_Connect(&nc_, o)) == NATS_OK; }, 20);
    natsOptions_Destroy(o);
    if (s == NATS_OK) s = natsConnection_JetStream(&js_, nc_, nullptr);
    if (s != NATS_OK)
        throw std::runtime_error("test hub client cannot connect to " + urls + ": " +
                                 natsStatus_GetText(s));
}

HubClient::~HubClient() {
    jsCtx_Destroy(js_);
    natsConnection_Destroy(nc_);
}

bool HubClient::create_stream(int replicas, double seconds) {
    return eventually(
        [&] {
            jsStreamConfig cfg;
            jsStreamConfig_Init(&cfg);
            const char* subjects[] = {"alerts.>"};
            cfg.Name = "HUB";
            cfg.Subjects = subjects;
            cfg.SubjectsLen = 1;
            cfg.Storage = js_FileStorage;
            cfg.Replicas = replicas;
            cfg.Duplicates = 120LL * 1000 * 1000 * 1000;  // nanoseconds
            jsStreamInfo* info = nullptr;
            jsErrCode code = static_cast<jsErrCode>(0);
            const natsStatus s = js_AddStream(&info, js_, &cfg, nullptr, &code);
            jsStreamInfo_Destroy(info);
            return s == NATS_OK || code == JSStreamNameExistErr;
        },
        seconds);
}

uint64_t HubClient::stream_messages() {
    jsStreamInfo* info = nullptr;
    if (js_GetStreamInfo(&info, js_, "HUB", nullptr, nullptr) != NATS_OK) return 0;
    const uint64_t n = info->State.Msgs;
    jsStreamInfo_Destroy(info);
    return n;
}

std::string HubClient::stream_leader() {
    jsStreamInfo* info = nullptr;
    if (js_GetStreamInfo(&info, js_, "HUB", nullptr, nullptr) != NATS_OK) return {};
    std::string leader = info->Cluster && info->Cluster->Leader ? info->Cluster->Leader : "";
    jsStreamInfo_Destroy(info);
    return leader;
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

std::vector<std::string> HubClient::stream_uids() {
    std::vector<std::string> uids;
    for (StoredAlert& a : all()) uids.push_back(std::move(a.uid));
    return uids;
}

}  // namespace vigie::test
