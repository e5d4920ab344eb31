// SPDX-License-Identifier: EUPL-1.2
// Every value modifier of the Sigma specification (sigma-appendix-modifiers.md) with the
// examples the specification gives, positive and negative; pySigma's behaviour where the
// specification leaves details open (base64offset cuts, windash word boundaries, \% in
// expand). Base64 strings below are Python's base64.b64encode of the text in the comment.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "tests/support/sigma_harness.hpp"

using vigie::Placeholders;
using vigie::Severity;
using vigie::test::kFlatMapping;
using vigie::test::SigmaHarness;

namespace {

// A rule with one selection `sel` made of `entries` (YAML lines indented by four spaces).
std::string rule(std::string_view entries) {
    std::string out = "title: t\nid: r1\nlogsource: {product: test}\ndetection:\n  sel:\n";
    out += entries.substr(!entries.empty() && entries.front() == '\n' ? 1 : 0);
    out += "  condition: sel\n";
    return out;
}

}  // namespace

TEST_CASE("contains, startswith and endswith anchor the value") {
    SigmaHarness contains(rule("    CommandLine|contains: 'whoami'\n"));
    CHECK(contains.matches(R"({"CommandLine":"cmd /c WHOAMI /all"})"));
    CHECK(contains.matches(R"({"CommandLine":"whoami"})"));
    CHECK_FALSE(contains.matches(R"({"CommandLine":"cmd /c who ami"})"));
    CHECK_FALSE(contains.matches(R"({"Other":"whoami"})"));

    // "The value is expected at the beginning of the field's content."
    SigmaHarness starts(rule(R"(    Image|startswith: 'C:\Windows\System32\'
)"));
    CHECK(starts.matches(R"({"Image":"c:\\windows\\system32\\cmd.exe"})"));
    CHECK_FALSE(starts.matches(R"({"Image":"D:\\C:\\Windows\\System32\\cmd.exe"})"));

    // The specification's example: '\cmd.exe' replaces '*\cmd.exe'.
    SigmaHarness ends(rule(R"(    Image|endswith: '\cmd.exe'
)"));
    CHECK(ends.matches(R"({"Image":"C:\\Windows\\System32\\CMD.EXE"})"));
    CHECK_FALSE(ends.matches(R"({"Image":"C:\\Windows\\System32\\cmd.exe.bak"})"));
    CHECK_FALSE(ends.matches(R"({"Image":"C:\\Windows\\System32\\xcmd.exe"})"));
}

TEST_CASE("all links the values of a list with AND") {
    // The specification's keyword example, as a field: both parameters, in any order.
    SigmaHarness h(rule(R"(
    CommandLine|contains|all:
      - 'OabVirtualDirectory'
      - ' -ExternalUrl '
)"));
    CHECK(h.matches(R"({"CommandLine":"Set-OabVirtualDirectory -ExternalUrl 'x'"})"));
    CHECK(h.matches(R"({"CommandLine":"x -ExternalUrl y; Get-OabVirtualDirectory"})"));
    CHECK_FALSE(h.matches(R"({"CommandLine":"Set-OabVirtualDirectory -InternalUrl 'x'"})"));
    CHECK_FALSE(h.matches(R"({"CommandLine":"x -ExternalUrl y"})"));

    SigmaHarness wild(rule("    CommandLine|all: ['*-enc*', '*-nop*']\n"));
    CHECK(wild.matches(R"({"CommandLine":"powershell -nop -enc AAAA"})"));
    CHECK_FALSE(wild.matches(R"({"CommandLine":"powershell -enc AAAA"})"));
}

TEST_CASE("all applies to the values as written, whatever they expand into") {
    // windash and base64offset expand one value into several; |all needs every value
    // written in the rule, each in any of its forms.
    SigmaHarness dash(rule("    CommandLine|windash|contains|all: [' -a ', ' -b ']\n"));
    CHECK(dash.matches(R"({"CommandLine":"tool /a -b x"})"));
    CHECK(dash.matches(R"({"CommandLine":"tool -a \u2014b "})"));
    CHECK_FALSE(dash.matches(R"({"CommandLine":"tool /a -c x"})"));

    SigmaHarness b64(rule("    CommandLine|base64offset|contains|all: ['http://', 'evil']\n"));
    // "http://evil.example/x" and "abhttp://evil.example/x"
    CHECK(b64.matches(R"({"CommandLine":"aHR0cDovL2V2aWwuZXhhbXBsZS94"})"));
    CHECK(b64.matches(R"({"CommandLine":"YWJodHRwOi8vZXZpbC5leGFtcGxlL3g="})"));
    // "https://evil.example/x": 'evil' is there, 'http://' is not
    CHECK_FALSE(b64.matches(R"({"CommandLine":"aHR0cHM6Ly9ldmlsLmV4YW1wbGUveA=="})"));
}

TEST_CASE("re is a PCRE regular expression, case-sensitive unless re|i") {
    SigmaHarness h(rule("    CommandLine|re: 'net (user|group) .*admin'\n"));
    CHECK(h.matches(R"({"CommandLine":"net user bob admins /add"})"));
    CHECK(h.matches(R"({"CommandLine":"c:\\x> net group x domain admins"})"));
    CHECK_FALSE(h.matches(R"({"CommandLine":"NET USER bob ADMINS /add"})"));
    CHECK_FALSE(h.matches(R"({"CommandLine":"net localgroup admins"})"));

    SigmaHarness anchored(rule("    CommandLine|re: '^cmd\\.exe [a-z]{2,3}$'\n"));
    CHECK(anchored.matches(R"({"CommandLine":"cmd.exe dir"})"));
    CHECK_FALSE(anchored.matches(R"({"CommandLine":"x cmd.exe dir"})"));
    CHECK_FALSE(anchored.matches(R"({"CommandLine":"cmd.exe dirs"})"));

    SigmaHarness caseless(rule("    CommandLine|re|i: 'net (user|group) .*admin'\n"));
    CHECK(caseless.matches(R"({"CommandLine":"NET USER bob ADMINS /add"})"));
    CHECK_FALSE(caseless.matches(R"({"CommandLine":"NET LOCALGROUP ADMINS"})"));
}

TEST_CASE("re|m makes ^ and $ match at line breaks, re|s lets . match a line break") {
    SigmaHarness plain(rule("    Script|re: '^whoami$'\n"));
    SigmaHarness multi(rule("    Script|re|m: '^whoami$'\n"));
    CHECK_FALSE(plain.matches(R"({"Script":"echo 1\nwhoami\necho 2"})"));
    CHECK(multi.matches(R"({"Script":"echo 1\nwhoami\necho 2"})"));
    CHECK_FALSE(multi.matches(R"({"Script":"echo 1\nwhoami /all\necho 2"})"));

    SigmaHarness nodot(rule("    Script|re: 'begin.end'\n"));
    SigmaHarness dotall(rule("    Script|re|s: 'begin.end'\n"));
    CHECK_FALSE(nodot.matches(R"({"Script":"begin\nend"})"));
    CHECK(dotall.matches(R"({"Script":"begin\nend"})"));
    CHECK_FALSE(dotall.matches(R"({"Script":"begin\n\nend"})"));
}

TEST_CASE("cased matches case-sensitively, alone and with contains, startswith, endswith") {
    SigmaHarness whole(rule("    Name|cased: 'EvilTool'\n"));
    CHECK(whole.matches(R"({"Name":"EvilTool"})"));
    CHECK_FALSE(whole.matches(R"({"Name":"eviltool"})"));
    CHECK_FALSE(whole.matches(R"({"Name":"EvilTool2"})"));

    SigmaHarness contains(rule("    Name|contains|cased: 'EvilTool'\n"));
    CHECK(contains.matches(R"({"Name":"run EvilTool now"})"));
    CHECK_FALSE(contains.matches(R"({"Name":"run EVILTOOL now"})"));

    SigmaHarness starts(rule("    Name|cased|startswith: 'Evil'\n"));
    CHECK(starts.matches(R"({"Name":"EvilTool"})"));
    CHECK_FALSE(starts.matches(R"({"Name":"evilTool"})"));

    SigmaHarness ends(rule("    Name|endswith|cased: 'Tool'\n"));
    CHECK(ends.matches(R"({"Name":"EvilTool"})"));
    CHECK_FALSE(ends.matches(R"({"Name":"EvilTOOL"})"));
}

TEST_CASE("base64 matches the encoded value") {
    SigmaHarness whole(rule("    CommandLine|base64: 'http://'\n"));
    CHECK(whole.matches(R"({"CommandLine":"aHR0cDovLw=="})"));
    CHECK_FALSE(whole.matches(R"({"CommandLine":"http://"})"));
    CHECK_FALSE(whole.matches(R"({"CommandLine":"aHR0cHM6Ly8="})"));  // "https://"
    CHECK_FALSE(whole.matches(R"({"CommandLine":"x aHR0cDovLw=="})"));

    SigmaHarness contains(rule("    CommandLine|base64|contains: 'http://'\n"));
    CHECK(contains.matches(R"({"CommandLine":"echo aHR0cDovLw== | base64 -d"})"));
    // vigie (README): base64 text is matched case-sensitively; the specification is silent.
    CHECK_FALSE(contains.matches(R"({"CommandLine":"echo AHR0CDOVLW== | base64 -d"})"));
}

TEST_CASE("base64offset|contains finds the value at each of the three offsets") {
    SigmaHarness h(rule("    CommandLine|base64offset|contains: 'http://'\n"));
    // "http://evil.example/x", "ahttp://evil.example/x", "abhttp://evil.example/x"
    CHECK(h.matches(R"({"CommandLine":"sh -c aHR0cDovL2V2aWwuZXhhbXBsZS94"})"));
    CHECK(h.matches(R"({"CommandLine":"sh -c YWh0dHA6Ly9ldmlsLmV4YW1wbGUveA=="})"));
    CHECK(h.matches(R"({"CommandLine":"sh -c YWJodHRwOi8vZXZpbC5leGFtcGxlL3g="})"));
    // The same three shifts of "https://evil.example/x".
    CHECK_FALSE(h.matches(R"({"CommandLine":"sh -c aHR0cHM6Ly9ldmlsLmV4YW1wbGUveA=="})"));
    CHECK_FALSE(h.matches(R"({"CommandLine":"sh -c YWh0dHBzOi8vZXZpbC5leGFtcGxlL3g="})"));
    CHECK_FALSE(h.matches(R"({"CommandLine":"sh -c YWJodHRwczovL2V2aWwuZXhhbXBsZS94"})"));
}

TEST_CASE("utf16le, utf16be and wide encode the value") {
    // The specification: cmd > 63 00 6d 00 64 00 (LE), 00 63 00 6d 00 64 (BE).
    SigmaHarness le(rule("    Data|utf16le: 'cmd'\n"));
    CHECK(le.matches(R"({"Data":"c\u0000m\u0000d\u0000"})"));
    CHECK_FALSE(le.matches(R"({"Data":"cmd"})"));
    CHECK_FALSE(le.matches(R"({"Data":"\u0000c\u0000m\u0000d"})"));

    SigmaHarness wide(rule("    Data|wide: 'cmd'\n"));
    CHECK(wide.matches(R"({"Data":"c\u0000m\u0000d\u0000"})"));
    CHECK_FALSE(wide.matches(R"({"Data":"cmd"})"));

    SigmaHarness be(rule("    Data|utf16be: 'cmd'\n"));
    CHECK(be.matches(R"({"Data":"\u0000c\u0000m\u0000d"})"));
    CHECK_FALSE(be.matches(R"({"Data":"c\u0000m\u0000d\u0000"})"));
}

TEST_CASE("utf16 encodings combined with base64 and base64offset") {
    SigmaHarness wide(rule("    CommandLine|wide|base64: 'cmd'\n"));
    CHECK(wide.matches(R"({"CommandLine":"YwBtAGQA"})"));
    CHECK_FALSE(wide.matches(R"({"CommandLine":"Y21k"})"));  // "cmd" in UTF-8

    SigmaHarness le(rule("    CommandLine|utf16le|base64: 'cmd'\n"));
    CHECK(le.matches(R"({"CommandLine":"YwBtAGQA"})"));

    SigmaHarness be(rule("    CommandLine|utf16be|base64: 'cmd'\n"));
    CHECK(be.matches(R"({"CommandLine":"AGMAbQBk"})"));
    CHECK_FALSE(be.matches(R"({"CommandLine":"YwBtAGQA"})"));

    // utf16: byte order mark FF FE, then UTF-16LE.
    SigmaHarness bom(rule("    CommandLine|utf16|base64: 'cmd'\n"));
    CHECK(bom.matches(R"({"CommandLine":"//5jAG0AZAA="})"));
    CHECK_FALSE(bom.matches(R"({"CommandLine":"YwBtAGQA"})"));
    SigmaHarness bom_offset(rule("    CommandLine|utf16|base64offset|contains: 'cmd'\n"));
    CHECK(bom_offset.matches(R"({"CommandLine":"//5jAG0AZAAgAC8AYwAgAGQAaQByAA=="})"));
    CHECK_FALSE(bom_offset.matches(
        R"({"CommandLine":"YwBtAGQALgBlAHgAZQAgAC8AYwAgAHcAaABvAGEAbQBpAA=="})"));

    // PowerShell -EncodedCommand: UTF-16LE then base64, the value anywhere inside.
    SigmaHarness ps(rule("    CommandLine|wide|base64offset|contains: 'Net.WebClient'\n"));
    // UTF-16LE of "EX (New-Object Net.WebClient)", "IEX (...)", "IIEX (...)"
    CHECK(ps.matches(
        R"({"CommandLine":"powershell -enc RQBYACAAKABOAGUAdwAtAE8AYgBqAGUAYwB0ACAATgBlAHQALgBXAGUAYgBDAGwAaQBlAG4AdAApAA=="})"));
    CHECK(ps.matches(
        R"({"CommandLine":"powershell -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA"})"));
    CHECK(ps.matches(
        R"({"CommandLine":"powershell -enc SQBJAEUAWAAgACgATgBlAHcALQBPAGIAagBlAGMAdAAgAE4AZQB0AC4AVwBlAGIAQwBsAGkAZQBuAHQAKQA="})"));
    // The same text in UTF-8 is not matched.
    CHECK_FALSE(ps.matches(
        R"({"CommandLine":"powershell -enc SUVYIChOZXctT2JqZWN0IE5ldC5XZWJDbGllbnQp"})"));

    SigmaHarness be_offset(rule("    CommandLine|utf16be|base64offset|contains: 'whoami'\n"));
    // UTF-16BE of "whoami /all", "xwhoami /all", "xxwhoami /all"
    CHECK(be_offset.matches(R"({"CommandLine":"AHcAaABvAGEAbQBpACAALwBhAGwAbA=="})"));
    CHECK(be_offset.matches(R"({"CommandLine":"AHgAdwBoAG8AYQBtAGkAIAAvAGEAbABs"})"));
    CHECK(be_offset.matches(R"({"CommandLine":"AHgAeAB3AGgAbwBhAG0AaQAgAC8AYQBsAGw="})"));
    CHECK_FALSE(be_offset.matches(R"({"CommandLine":"d2hvYW1pIC9hbGw="})"));  // UTF-8
}

TEST_CASE("base64 of a value with wildcards is refused") {
    SigmaHarness h(rule("    CommandLine|contains|base64: 'http://'\n"));
    CHECK(h.rules_loaded() == 0);
    CHECK(h.errors().find("wildcards") != std::string::npos);
}

TEST_CASE("windash: -, /, en dash, em dash and horizontal bar are interchangeable") {
    SigmaHarness h(rule("    CommandLine|windash|contains: ' -exec '\n"));
    CHECK(h.matches(R"({"CommandLine":"tool -exec x"})"));
    CHECK(h.matches(R"({"CommandLine":"tool /exec x"})"));
    CHECK(h.matches(R"({"CommandLine":"tool \u2013exec x"})"));  // en dash
    CHECK(h.matches(R"({"CommandLine":"tool \u2014exec x"})"));  // em dash
    CHECK(h.matches(R"({"CommandLine":"tool \u2015exec x"})"));  // horizontal bar
    CHECK_FALSE(h.matches(R"({"CommandLine":"tool +exec x"})"));
    CHECK_FALSE(h.matches(R"({"CommandLine":"tool exec x"})"));

    SigmaHarness slash(rule("    CommandLine|contains|windash: ' /c '\n"));
    CHECK(slash.matches(R"({"CommandLine":"cmd -c dir"})"));
    CHECK_FALSE(slash.matches(R"({"CommandLine":"cmd \\c dir"})"));

    // pySigma: only a dash that starts a word is a flag; in -param-name the second is kept.
    SigmaHarness word(rule("    CommandLine|windash|contains: '-param-name'\n"));
    CHECK(word.matches(R"({"CommandLine":"x /param-name"})"));
    CHECK_FALSE(word.matches(R"({"CommandLine":"x /param/name"})"));
}

TEST_CASE("cidr matches IPv4 and IPv6 networks") {
    SigmaHarness v4(rule("    DestinationIp|cidr: 10.0.0.0/8\n"));  // the specification's example
    CHECK(v4.matches(R"({"DestinationIp":"10.1.2.3"})"));
    CHECK(v4.matches(R"({"DestinationIp":"10.255.255.255"})"));
    CHECK_FALSE(v4.matches(R"({"DestinationIp":"11.0.0.1"})"));
    CHECK_FALSE(v4.matches(R"({"DestinationIp":"9.255.255.255"})"));
    CHECK_FALSE(v4.matches(R"({"DestinationIp":"not an address"})"));
    CHECK_FALSE(v4.matches(R"({"DestinationIp":"::1"})"));

    SigmaHarness list(rule("    DestinationIp|cidr: ['192.168.1.0/24', '172.16.0.0/12']\n"));
    CHECK(list.matches(R"({"DestinationIp":"192.168.1.255"})"));
    CHECK(list.matches(R"({"DestinationIp":"172.31.0.1"})"));
    CHECK_FALSE(list.matches(R"({"DestinationIp":"192.168.2.0"})"));
    CHECK_FALSE(list.matches(R"({"DestinationIp":"172.32.0.1"})"));

    SigmaHarness v6(rule("    DestinationIp|cidr: '2001:db8::/32'\n"));
    CHECK(v6.matches(R"({"DestinationIp":"2001:db8:1::5"})"));
    CHECK(v6.matches(R"({"DestinationIp":"2001:DB8::1"})"));
    CHECK_FALSE(v6.matches(R"({"DestinationIp":"2001:db9::1"})"));
    CHECK_FALSE(v6.matches(R"({"DestinationIp":"10.1.2.3"})"));
    CHECK_FALSE(v6.matches(R"({"DestinationIp":"2001:db8::zz"})"));
}

TEST_CASE("exists tests whether the field is there, whatever its value") {
    SigmaHarness yes(rule("    EventID: 4738\n    PasswordLastSet|exists: true\n"));
    CHECK(yes.matches(R"({"EventID":4738,"PasswordLastSet":"2024-01-01"})"));
    // "this check only verifies the presence of a field, not its value, be it empty or null"
    CHECK(yes.matches(R"({"EventID":4738,"PasswordLastSet":""})"));
    CHECK(yes.matches(R"({"EventID":4738,"PasswordLastSet":null})"));
    CHECK_FALSE(yes.matches(R"({"EventID":4738})"));

    SigmaHarness no(rule("    EventID: 4738\n    PasswordLastSet|exists: false\n"));
    CHECK(no.matches(R"({"EventID":4738})"));
    CHECK_FALSE(no.matches(R"({"EventID":4738,"PasswordLastSet":"2024-01-01"})"));
    CHECK_FALSE(no.matches(R"({"EventID":4738,"PasswordLastSet":null})"));
}

TEST_CASE("gt, gte, lt and lte compare numbers, as JSON numbers or numeric strings") {
    SigmaHarness gt(rule("    Count|gt: 10\n"));
    CHECK(gt.matches(R"({"Count":11})"));
    CHECK(gt.matches(R"({"Count":"11"})"));
    CHECK(gt.matches(R"({"Count":10.5})"));
    CHECK_FALSE(gt.matches(R"({"Count":10})"));
    CHECK_FALSE(gt.matches(R"({"Count":"10"})"));
    CHECK_FALSE(gt.matches(R"({"Count":-11})"));
    CHECK_FALSE(gt.matches(R"({"Count":"eleven"})"));
    CHECK_FALSE(gt.matches(R"({"Other":11})"));

    SigmaHarness gte(rule("    Count|gte: 10\n"));
    CHECK(gte.matches(R"({"Count":10})"));
    CHECK(gte.matches(R"({"Count":"10"})"));
    CHECK_FALSE(gte.matches(R"({"Count":9})"));
    CHECK_FALSE(gte.matches(R"({"Count":"9.99"})"));
    CHECK_FALSE(gte.matches(R"({"Count":"ten"})"));

    SigmaHarness lt(rule("    Count|lt: 10\n"));
    CHECK(lt.matches(R"({"Count":9})"));
    CHECK(lt.matches(R"({"Count":"-3"})"));
    CHECK_FALSE(lt.matches(R"({"Count":10})"));
    CHECK_FALSE(lt.matches(R"({"Count":"x9"})"));

    SigmaHarness lte(rule("    Count|lte: 2.5\n"));
    CHECK(lte.matches(R"({"Count":2.5})"));
    CHECK(lte.matches(R"({"Count":"2"})"));
    CHECK_FALSE(lte.matches(R"({"Count":2.51})"));
    CHECK_FALSE(lte.matches(R"({"Count":""})"));
}

TEST_CASE("fieldref compares a field with another field of the same event") {
    SigmaHarness h(rule("    TargetUserName|fieldref: SubjectUserName\n"));
    CHECK(h.matches(R"({"TargetUserName":"alice","SubjectUserName":"alice"})"));
    CHECK(h.matches(R"({"TargetUserName":"Alice","SubjectUserName":"ALICE"})"));
    CHECK_FALSE(h.matches(R"({"TargetUserName":"alice","SubjectUserName":"bob"})"));
    CHECK_FALSE(h.matches(R"({"TargetUserName":"alice"})"));
    CHECK_FALSE(h.matches(R"({"SubjectUserName":"alice"})"));
    CHECK_FALSE(h.matches(R"({"TargetUserName":"alice2","SubjectUserName":"alice"})"));

    // pySigma: contains, startswith and endswith apply to the referenced value.
    SigmaHarness contains(rule("    CommandLine|fieldref|contains: Image\n"));
    CHECK(contains.matches(R"({"CommandLine":"run evil.exe now","Image":"evil.exe"})"));
    CHECK_FALSE(contains.matches(R"({"CommandLine":"run good.exe now","Image":"evil.exe"})"));
    SigmaHarness starts(rule("    CommandLine|fieldref|startswith: Image\n"));
    CHECK(starts.matches(R"({"CommandLine":"evil.exe -x","Image":"evil.exe"})"));
    CHECK_FALSE(starts.matches(R"({"CommandLine":"run evil.exe","Image":"evil.exe"})"));
    SigmaHarness ends(rule("    CommandLine|fieldref|endswith: Image\n"));
    CHECK(ends.matches(R"({"CommandLine":"run evil.exe","Image":"evil.exe"})"));
    CHECK_FALSE(ends.matches(R"({"CommandLine":"evil.exe -x","Image":"evil.exe"})"));
}

TEST_CASE("expand replaces a placeholder with each of its values") {
    Placeholders placeholders;
    placeholders.set("Admins_Workstations", {"WS-ADM-01", "WS-ADM-02"});
    SigmaHarness h(rule("    ComputerName|expand: '%Admins_Workstations%'\n"), kFlatMapping,
                   &placeholders);
    CHECK(h.matches(R"({"ComputerName":"WS-ADM-01"})"));
    CHECK(h.matches(R"({"ComputerName":"ws-adm-02"})"));
    CHECK_FALSE(h.matches(R"({"ComputerName":"WS-ADM-03"})"));
    CHECK_FALSE(h.matches(R"({"ComputerName":"%Admins_Workstations%"})"));

    SigmaHarness inside(rule("    User|expand|contains: '\\%plain%Admins_Workstations%'\n"),
                        kFlatMapping, &placeholders);
    // "field|expand: \%plain%name% handles %plain as plain value and %name% as placeholder."
    CHECK(inside.matches(R"({"User":"x %plainWS-ADM-02 y"})"));
    CHECK_FALSE(inside.matches(R"({"User":"x plainWS-ADM-02 y"})"));
    CHECK(inside.diagnostics().empty());

    // Without expand, %name% is a literal value.
    SigmaHarness literal(rule("    ComputerName: '%Admins_Workstations%'\n"), kFlatMapping,
                         &placeholders);
    CHECK(literal.matches(R"({"ComputerName":"%Admins_Workstations%"})"));
    CHECK_FALSE(literal.matches(R"({"ComputerName":"WS-ADM-01"})"));
}

TEST_CASE("an undefined placeholder is a warning and never matches") {
    Placeholders placeholders;
    placeholders.set("Servers", {"srv1"});
    SigmaHarness h(rule("    ComputerName|expand: ['%Workstations%', '%Servers%']\n"), kFlatMapping,
                   &placeholders);
    CHECK(h.errors().empty());
    REQUIRE(h.diagnostics().size() == 1);
    CHECK(h.diagnostics()[0].severity == Severity::Warning);
    CHECK(h.diagnostics()[0].format().find("%Workstations%") != std::string::npos);
    CHECK(h.matches(R"({"ComputerName":"srv1"})"));
    CHECK_FALSE(h.matches(R"({"ComputerName":"%Workstations%"})"));
    CHECK_FALSE(h.matches(R"({"ComputerName":"ws1"})"));
}
