// SPDX-License-Identifier: EUPL-1.2
// libFuzzer target: arbitrary bytes as a Sigma rule file, through the YAML reader (depth and
// alias-expansion bounds), rule parser, modifier chain, condition parser and the compiler
// with the windows mapping, and as a mapping file. The rules that compile are run on one
// event whose values are padded to push regexes past their match limit: every rule reported
// undecided must be among the matches (fail-closed), never crash or stall.
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "detector/detector.hpp"
#include "detector/field_mapping.hpp"
#include "detector/rule_parser.hpp"
#include "detector/ruleset_compiler.hpp"
#include "ingest/event_parser.hpp"

namespace {

using namespace vigie;

const std::string kPadded = std::string(40, 'a') + "!";

void run_padded_event(const std::shared_ptr<const Ruleset>& ruleset) {
    if (!ruleset || ruleset->rules().empty()) return;
    Detector detector(ruleset);
    EventParser parser(ruleset->trie(), ruleset->needs_all_strings());
    std::string event = R"({"Event":{"System":{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/)"
                        R"(Operational"},"EventData":{"CommandLine":")" +
                        kPadded + R"(","Image":")" + kPadded + R"(","ParentImage":")" + kPadded +
                        R"("}}})";
    const size_t size = event.size();
    event.append(simdjson::SIMDJSON_PADDING, ' ');
    RawDocument doc{event.data(), size, event.size(), 1, 0};
    if (!parser.parse(doc, detector.event()).empty()) return;
    std::vector<uint32_t> matches;
    detector.detect(matches);
    for (uint32_t r = 0; r < ruleset->rules().size(); ++r) {
        if (detector.undecided(r) && std::find(matches.begin(), matches.end(), r) == matches.end())
            std::abort();  // an undecided rule that did not fire: fail-open
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const FieldMapping mapping = [] {
        Diagnostics d;
        return *load_mapping("windows", {}, d);
    }();
    std::string text(reinterpret_cast<const char*>(data), size);
    Diagnostics diags;
    Placeholders placeholders;
    placeholders.set("p", {"a", "b*"});
    std::vector<Rule> rules;
    RuleParser(placeholders, diags).parse_text(text, "fuzz", rules);
    CompileReport report;
    run_padded_event(
        RulesetCompiler(mapping, diags).compile(std::move(rules), CompileOptions{}, report));
    for (const auto& d : diags) (void)d.format();
    (void)FieldMapping::parse(text, "fuzz", diags);
    return 0;
}
