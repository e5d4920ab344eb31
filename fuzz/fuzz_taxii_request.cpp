// SPDX-License-Identifier: EUPL-1.2
// libFuzzer target: arbitrary bytes as a TAXII request to the TaxiiHandler over an
// in-memory SQLite store. The input is split into a first line "METHOD TARGET", header
// lines "Name: value" up to an empty line, and the body. Every request must get an answer
// with a status TAXII gives, and a RED or AMBER+STRICT object must never be in one.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "core/token_digest.hpp"
#include "federation/stix/tlp.hpp"
#include "federation/taxii/collection_store.hpp"
#include "federation/taxii/taxii_handler.hpp"

namespace {

using namespace vigie;
using namespace vigie::taxii;

constexpr const char* kCollection = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";
constexpr const char* kRedObject =
    R"({"objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-00000000dead","created":"2024-01-01T00:00:00Z","modified":"2024-01-01T00:00:00Z","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z","object_marking_refs":["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]}]})";

struct Fixture {
    Fixture() {
        TaxiiSettings s;
        s.enabled = true;
        s.page_size = 5;
        s.api_roots.push_back({"api1", "root", "", 1 << 16});
        s.collections.push_back({kCollection, "api1", "c", "", ""});
        // Both peers may write: fuzzed POSTs reach the store.
        s.peers.push_back(
            {"amber", "u", sha256_hex("p"), "", "", true, {{kCollection, true, true}}});
        s.peers.push_back(
            {"green", "", "", sha256_hex("tok"), "", false, {{kCollection, true, true}}});
        auto opened = CollectionStore::open(":memory:");
        if (!opened) std::abort();
        store = std::move(opened).value();
        handler = std::make_unique<TaxiiHandler>(s, *store, 1 << 16);
        HttpRequest seed;
        seed.method = "POST";
        seed.target = std::string("/api1/collections/") + kCollection + "/objects/";
        seed.authorization = "Bearer tok";
        seed.content_type = "application/taxii+json;version=2.1";
        seed.body = kRedObject;
        if (handler->handle(seed).status != 202) std::abort();
    }
    std::unique_ptr<CollectionStore> store;
    std::unique_ptr<TaxiiHandler> handler;
};

std::string_view next_line(std::string_view& rest) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

HttpRequest parse(std::string_view input) {
    HttpRequest r;
    const std::string_view first = next_line(input);
    const size_t space = first.find(' ');
    r.method = std::string(first.substr(0, space));
    if (space != std::string_view::npos) r.target = std::string(first.substr(space + 1));
    while (!input.empty()) {
        const std::string_view line = next_line(input);
        if (line.empty()) break;
        const size_t colon = line.find(':');
        std::string_view name = line.substr(0, colon);
        std::string value(colon == std::string_view::npos ? "" : line.substr(colon + 1));
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        if (name == "Authorization") r.authorization = value;
        if (name == "Accept") r.accept = value;
        if (name == "Content-Type") r.content_type = value;
    }
    decode_basic_authorization(r.authorization, r.basic_user, r.basic_password);
    r.body = std::string(input);
    return r;
}

bool known_status(unsigned s) {
    switch (s) {
        case 200:
        case 202:
        case 400:
        case 401:
        case 403:
        case 404:
        case 405:
        case 406:
        case 413:
        case 415:
        case 422:
            return true;
        default:
            return false;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Fixture fixture;
    const HttpRequest request = parse(std::string_view(reinterpret_cast<const char*>(data), size));
    const HttpAnswer answer = fixture.handler->handle(request);
    if (!known_status(answer.status)) std::abort();
    // The RED object posted at start never leaves, whatever was asked.
    if (answer.status == 200 && answer.body.find("00000000dead") != std::string::npos) std::abort();
    return 0;
}
