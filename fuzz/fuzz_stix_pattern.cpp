// SPDX-License-Identifier: EUPL-1.2
// libFuzzer target: the STIX 2.1 pattern parser on arbitrary bytes, then, for patterns it
// accepts, line_rate_terms and the evaluator over a small fixed observation set (bounded
// limits, so that a slow input is a finding rather than a hang). Checks that every error
// carries a column inside the text (or just past it) and the "column N: " prefix.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "federation/stix/observation_set.hpp"
#include "federation/stix/pattern_ast.hpp"
#include "federation/stix/pattern_eval.hpp"
#include "federation/stix/pattern_parser.hpp"
#include "federation/stix/pattern_terms.hpp"

namespace {

const vigie::stix::ObservationSet& observations() {
    static const vigie::stix::ObservationSet set = [] {
        vigie::stix::ObservationSet s;
        vigie::Status added = s.add_document(R"({"type":"bundle","objects":[
          {"type":"ipv4-addr","id":"ipv4-addr--1","value":"10.0.0.1"},
          {"type":"ipv6-addr","id":"ipv6-addr--1","value":"2001:db8::1"},
          {"type":"domain-name","id":"domain-name--1","value":"a.example","resolves_to_refs":["ipv4-addr--1"]},
          {"type":"file","id":"file--1","name":"x.exe","size":10,"hashes":{"MD5":"aa","SHA-256":"bb"},
           "magic_number_hex":"ffd8","ctime":"2020-01-01T00:00:00Z","list":[1,2.5,"s",true,null,{"k":"v"}]},
          {"type":"network-traffic","id":"nt--1","src_ref":"ipv4-addr--1","dst_ref":"ipv6-addr--1","dst_port":80,"protocols":["tcp"]},
          {"type":"observed-data","id":"od-1","first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:01:00Z","number_observed":3,"object_refs":["ipv4-addr--1","file--1","nt--1"]},
          {"type":"observed-data","id":"od-2","first_observed":"2020-01-01T00:02:00Z","last_observed":"2020-01-01T00:02:00Z","number_observed":1,"object_refs":["domain-name--1","ipv6-addr--1"]},
          {"type":"observed-data","id":"od-3","first_observed":"2020-01-01T00:00:30Z","last_observed":"2020-01-01T00:00:30Z","number_observed":2,"objects":{"0":{"type":"file","name":"y","parent_directory_ref":"1"},"1":{"type":"directory","path":"/tmp"}}}
        ]})");
        if (!added) std::abort();
        s.finish();
        return s;
    }();
    return set;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    vigie::stix::PatternParse parse = vigie::stix::parse_pattern(text);
    if (!parse.ok()) {
        const vigie::Error& e = parse.error();
        const uint32_t column = e.where.column;
        std::string prefix = "column " + std::to_string(column) + ": ";
        if (column < 1 || column > size + 1 || e.message.rfind(prefix, 0) != 0) std::abort();
        return 0;
    }
    vigie::stix::LineRateTerms terms = vigie::stix::line_rate_terms(**parse);
    if (!terms.unsupported.empty() && !terms.any_of.empty()) std::abort();
    vigie::stix::EvalLimits limits;
    limits.max_steps = 20000;
    limits.max_bindings = 2000;
    vigie::stix::EvalResult result = vigie::stix::evaluate(**parse, observations(), limits);
    bool matched = result.status == vigie::stix::EvalResult::Status::Match;
    if (matched == result.observed_data_ids.empty()) std::abort();
    return 0;
}
