// SPDX-License-Identifier: EUPL-1.2
// libFuzzer target: the feed parsers, on arbitrary bytes: STIX 2.1 bundles / envelopes /
// arrays (federation/stix/bundle_reader.hpp, with every indicator's pattern parsed and compiled
// into a segment the way the catalogue does, then looked up), and MISP events
// (federation/misp/misp_event_reader.hpp), whose indicators go through the same compilation.
#include <cstdint>
#include <string>
#include <string_view>

#include "federation/indicators/indicator_segment.hpp"
#include "federation/misp/misp_event_reader.hpp"
#include "federation/stix/bundle_reader.hpp"
#include "federation/stix/pattern_parser.hpp"

namespace {

void compile_and_look_up(const std::vector<vigie::stix::Indicator>& indicators) {
    vigie::IndicatorSegment::Builder builder;
    for (const auto& ind : indicators) {
        auto parsed = vigie::stix::parse_pattern(ind.pattern);
        if (!parsed.ok()) continue;
        auto terms = vigie::stix::line_rate_terms(**parsed);
        if (terms.unsupported.empty()) (void)builder.add(ind, terms.any_of);
    }
    auto segment = builder.build();
    std::string buffer;
    for (const char* value :
         {"evil.example", "198.51.100.7", "2001:db8::1", "http://x.example/a"}) {
        for (auto kind : {vigie::ValueKind::Domain, vigie::ValueKind::Ip, vigie::ValueKind::Url}) {
            segment->find("domain-name:value", kind, value, buffer, nullptr,
                          [&](uint32_t slot) { (void)segment->view(slot).id; });
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    vigie::stix::BundleOptions options;
    options.origin = "fuzz";
    options.limits.max_objects = 1000;
    options.limits.max_object_bytes = 64 << 10;
    auto content = vigie::stix::read_bundle(text, options);
    compile_and_look_up(content.indicators);
    vigie::misp::MispEventOptions misp;
    misp.origin = "fuzz";
    auto event = vigie::misp::read_misp_event(text, misp);
    compile_and_look_up(event.indicators);
    return 0;
}
