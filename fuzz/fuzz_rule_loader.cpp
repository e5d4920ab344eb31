// libFuzzer target: arbitrary bytes as a Sigma rule file, through the YAML reader, rule
// parser, modifier chain, condition parser and the compiler with the windows mapping,
// and as a mapping file.
#include <cstdint>
#include <string>

#include "detector/field_mapping.hpp"
#include "detector/rule_parser.hpp"
#include "detector/ruleset_compiler.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vigie;
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
    RulesetCompiler(mapping, diags).compile(std::move(rules), CompileOptions{}, report);
    for (const auto& d : diags) (void)d.format();
    (void)FieldMapping::parse(text, "fuzz", diags);
    return 0;
}
