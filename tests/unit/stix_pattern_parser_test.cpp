// SPDX-License-Identifier: EUPL-1.2
// The STIX 2.1 pattern parser: the specification's examples (section 9.9) and patterns
// from the OASIS reference matcher's tests parse; bad patterns fail at an exact column
// with an exact message; the AST keeps what was written.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "federation/stix/pattern_ast.hpp"
#include "federation/stix/pattern_parser.hpp"

using namespace vigie::stix;

namespace {

const std::vector<std::string> kValidPatterns = {
    // STIX 2.1 section 9.9 (examples)
    R"([file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f'])",
    R"([email-message:from_ref.value MATCHES '.+\\@example\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\.exe$'])",
    R"([file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:mime_type = 'application/x-pdf'])",
    R"([file:hashes.'SHA-256' = 'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] AND [file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f'])",
    R"(([file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) WITHIN 300 SECONDS)",
    R"([user-account:account_type = 'unix' AND user-account:user_id = '1007' AND user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1008' AND user-account:account_login = 'Paul'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1009' AND user-account:account_login = 'Mary'])",
    R"([artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES '\\xd4\\xc3\\xb2\\xa1\\x02\\x00\\x04\\x00'])",
    R"([file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\Windows\\System32'])",
    R"([file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0])",
    R"([file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8'])",
    R"([network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32'])",
    R"([network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES WITHIN 1800 SECONDS)",
    R"([domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32'])",
    R"([url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar'])",
    R"([x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28'])",
    R"([windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\CryptoLocker\\Files' OR windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\Microsoft\\CurrentVersion\\Run\\CryptoLocker_0388'])",
    R"([(file:name = 'pdf.exe' OR file:size = '371712') AND file:created = t'2014-01-13T07:03:17Z'])",
    R"([email-message:sender_ref.value = 'jdoe@example.com' AND email-message:subject = 'Conference Info'])",
    R"([x-usb-device:usbdrive.serial_number = '575833314133343231313937'])",
    R"([process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine Root$'] FOLLOWEDBY [process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachineTrustedPublisher$'] WITHIN 300 SECONDS)",
    R"([network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64'])",
    R"(([file:name = 'foo.dll'] AND [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) OR [process:name = 'fooproc' OR process:name = 'procfoo'])",
    R"([file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z')",
    R"([process:image_ref.name = 'fooproc' OR process:image_ref.name = 'procfoo'])",
    // from the reference matcher's tests (stix2matcher/test, v21)
    R"([person:name = 'alice' AND person:age IN (10, 20, 30)])",
    R"([file:size NOT IN (1, 2, 3)])",
    R"([file:name NOT LIKE 'foo%'])",
    R"([ipv4-addr:value NOT ISSUBSET '10.0.0.0/8'])",
    R"([network-traffic:extensions.'http-request-ext'.request_header.'Content-Type' = 'text/html'])",
    R"([file:hashes.'SHA-256' != 'x'] OR [file:name <= 'b'] OR [file:size >= -5] OR [file:size < +7.5])",
    R"([test:binary_bin = b'AQIDBA=='] AND [test:binary_hex = h'01020304'])",
    R"([test:bool = true] OR [test:bool = false])",
    R"([test:list[0] = 1] OR [test:list[-1] = 2] OR [test:list[*] = 3])",
    R"([a:b = 1] REPEATS 2 TIMES REPEATS 3 TIMES)",
    R"([a:b = 1] WITHIN 0.5 SECONDS)",
    R"([a:b = 1] AND [a:c = 2] OR [a:d = 3] FOLLOWEDBY [a:e = 4])",
    R"([EXISTS file:name] AND [NOT EXISTS file:size])",
    R"([a:'quoted key'.'it\'s' = 'x\'y\\z'])",
    R"([a:b IN ()])",
    R"([a:b == 1] AND [a:c <> 2])",
    "\t[ a : b = 1 ]\n",
};

struct BadPattern {
    std::string text;
    uint32_t column;
    std::string message;
};

const std::vector<BadPattern> kBadPatterns = {
    {"", 1, "column 1: empty pattern"},
    {"   ", 1, "column 1: empty pattern"},
    {"[file:name = 'a'", 17,
     "column 17: expected ']' to close the observation expression opened at column 1, found end "
     "of pattern"},
    {"file:name = 'a'", 1,
     "column 1: expected '[' or '(' to start an observation expression, found 'file'"},
    {"[file:name = 'a'] [file:name = 'b']", 19,
     "column 19: unexpected '[' after the pattern (observation expressions are joined by AND, OR "
     "or FOLLOWEDBY)"},
    {"[file:name = 'a]", 14, "column 14: unterminated quoted constant"},
    {"[file:name = 'a\\n']", 16,
     "column 16: invalid escape in a string (only \\' and \\\\ are allowed)"},
    {"[file name = 'a']", 7, "column 7: expected ':' after the object type 'file', found 'name'"},
    {"[file: = 'a']", 8, "column 8: expected a property name after ':', found '='"},
    {"[file:hashes.SHA-256 = 'a']", 14,
     "column 14: a property name holding '-' must be quoted: 'SHA-256'"},
    {"[file:name ~ 'a']", 12, "column 12: unexpected character '~'"},
    {"[file:name 'a']", 12,
     "column 12: expected a comparison operator (= != < <= > >= IN LIKE MATCHES ISSUBSET "
     "ISSUPERSET) after the object path, found constant 'a'"},
    {"[file:name = ]", 14, "column 14: expected a constant after the operator, found ']'"},
    {"[file:size > true]", 14, "column 14: a boolean cannot be ordered; use = or !="},
    {"[file:name LIKE 5]", 17, "column 17: LIKE needs a string constant, found '5'"},
    {"[file:name MATCHES '(']", 20,
     "column 20: invalid regular expression for MATCHES: missing closing parenthesis at offset 1"},
    {"[file:size IN (1, 2]", 20,
     "column 20: expected ',' or ')' in the IN set opened at column 15, found ']'"},
    {"[file:size IN 1]", 15, "column 15: expected '(' to open IN's set of constants, found '1'"},
    {"[a:b = 1] WITHIN 5", 19,
     "column 19: expected SECONDS after WITHIN's number, found end of pattern"},
    {"[a:b = 1] WITHIN 0 SECONDS", 18,
     "column 18: WITHIN needs a positive number of seconds, found '0'"},
    {"[a:b = 1] REPEATS 0 TIMES", 19, "column 19: REPEATS needs a positive integer, found '0'"},
    {"[a:b = 1] REPEATS 2", 20,
     "column 20: expected TIMES after REPEATS' count, found end of pattern"},
    {"[a:b = 1] START '2016-01-01T00:00:00Z' STOP t'2016-01-02T00:00:00Z'", 17,
     "column 17: START needs a timestamp constant t'...Z', found constant "
     "'2016-01-01T00:00:00Z'"},
    {"[a:b = t'2016-13-01T00:00:00Z']", 8,
     "column 8: invalid timestamp (expected t'YYYY-MM-DDTHH:MM:SS[.s]Z')"},
    {"[a:b = h'abc']", 8, "column 8: invalid hex constant (pairs of hex digits)"},
    {"[a:b = b'abc']", 8, "column 8: invalid base64 constant"},
    {"[a:b = 99999999999999999999]", 8, "column 8: integer out of range"},
    {"[a:b = 1.]", 8, "column 8: expected digits after '.' in a number"},
    {"[a:b[x] = 1]", 6, "column 6: expected an integer or '*' as a list index, found 'x'"},
    {"[a:b = 1] AND", 14,
     "column 14: expected '[' or '(' to start an observation expression, found end of pattern"},
    {"([a:b = 1]", 11,
     "column 11: expected ')' to close the parenthesis opened at column 1, found end of pattern"},
    {"[(a:b = 1]", 10,
     "column 10: expected ')' to close the parenthesis opened at column 2, found ']'"},
    {"[NOT a:b = 1]", 6, "column 6: expected EXISTS after NOT here, found 'a'"},
    {"[a:b = 1]\x01", 10, "column 10: unexpected byte 0x01"},
    {std::string(65, '(') + "[a:b = 1]" + std::string(65, ')'), 65,
     "column 65: nested deeper than 64 levels"},
};

}  // namespace

TEST_CASE("the specification's and the reference matcher's patterns parse") {
    for (const std::string& text : kValidPatterns) {
        CAPTURE(text);
        PatternParse parse = parse_pattern(text);
        CHECK_MESSAGE(parse.ok(), parse.error().message);
    }
}

TEST_CASE("bad patterns fail at an exact column with an exact reason") {
    for (const BadPattern& bad : kBadPatterns) {
        CAPTURE(bad.text);
        PatternParse parse = parse_pattern(bad.text);
        REQUIRE_FALSE(parse.ok());
        CHECK(parse.error().where.column == bad.column);
        CHECK(parse.error().message == bad.message);
    }
}

TEST_CASE("64 levels of nesting are accepted") {
    std::string text = std::string(63, '(') + "[a:b = 1]" + std::string(63, ')');
    CHECK(parse_pattern(text).ok());
}

TEST_CASE("precedence: FOLLOWEDBY below OR below AND, qualifiers bind to the atom") {
    PatternParse parse =
        parse_pattern("[a:b = 1] AND [a:c = 2] OR [a:d = 3] FOLLOWEDBY [a:e = 4] WITHIN 5 SECONDS");
    REQUIRE(parse.ok());
    const ObservationExpr& root = (*parse)->root;
    REQUIRE(root.kind == ObservationExpr::Kind::FollowedBy);
    REQUIRE(root.children.size() == 2);
    CHECK(root.qualifiers.empty());
    const ObservationExpr& left = root.children[0];
    REQUIRE(left.kind == ObservationExpr::Kind::Or);
    CHECK(left.children[0].kind == ObservationExpr::Kind::And);
    CHECK(left.children[1].kind == ObservationExpr::Kind::Observation);
    REQUIRE(root.children[1].qualifiers.size() == 1);
    CHECK(root.children[1].qualifiers[0].within_seconds == 5.0);

    parse = parse_pattern("[a:b = 1 OR a:c = 2 AND a:d = 3]");
    REQUIRE(parse.ok());
    const ComparisonExpr& cmp = (*parse)->root.comparison;
    REQUIRE(cmp.kind == ComparisonExpr::Kind::Or);
    CHECK(cmp.children[0].kind == ComparisonExpr::Kind::Leaf);
    CHECK(cmp.children[1].kind == ComparisonExpr::Kind::And);
}

TEST_CASE("the AST keeps paths, operators and decoded constants") {
    PatternParse parse = parse_pattern(
        R"([file:extensions.'windows-pebinary-ext'.sections[*].name NOT LIKE 'a\'b%'])");
    REQUIRE(parse.ok());
    const Comparison& c = (*parse)->root.comparison.leaf;
    CHECK(c.path.object_type == "file");
    REQUIRE(c.path.steps.size() == 5);
    CHECK(c.path.steps[1].key == "windows-pebinary-ext");
    CHECK(c.path.steps[3].kind == PathStep::Kind::AnyIndex);
    CHECK(c.op == CompareOp::Like);
    CHECK(c.negated);
    CHECK(c.values.at(0).text == "a'b%");
    CHECK(c.column == 62);

    parse = parse_pattern("[a:b IN (h'ff00', b'AQI=', t'2016-01-01T00:00:00.5Z', -3, 2.5, true)]");
    REQUIRE(parse.ok());
    const auto& v = (*parse)->root.comparison.leaf.values;
    REQUIRE(v.size() == 6);
    CHECK(v[0].kind == Constant::Kind::Hex);
    CHECK(v[0].text == std::string("\xff\x00", 2));
    CHECK(v[1].text == std::string("\x01\x02", 2));
    CHECK(v[2].integer == 1451606400500000);
    CHECK(v[3].integer == -3);
    CHECK(v[4].real == 2.5);
    CHECK(v[5].boolean);

    parse = parse_pattern(
        "[a:b = 1] START t'2016-01-01T00:00:00Z' STOP t'2016-01-02T00:00:00Z' REPEATS 3 TIMES");
    REQUIRE(parse.ok());
    const auto& q = (*parse)->root.qualifiers;
    REQUIRE(q.size() == 2);
    CHECK(q[0].kind == Qualifier::Kind::StartStop);
    CHECK(q[0].stop_us - q[0].start_us == 86400000000LL);
    CHECK(q[1].repeats == 3);
}

TEST_CASE("long flat chains do not deepen the tree") {
    std::string text = "[a:b = 0]";
    for (int i = 1; i < 5000; ++i) text += " OR [a:b = " + std::to_string(i) + "]";
    PatternParse parse = parse_pattern(text);
    REQUIRE(parse.ok());
    CHECK((*parse)->root.children.size() == 5000);
}
