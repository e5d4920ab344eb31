// SPDX-License-Identifier: EUPL-1.2
// Hardening issue, the configuration's items: ATT&CK tactics per technique (15b), the
// configuration's depth bound and limits section (1), what `config check` checks (13).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "app/config/config_reader.hpp"
#include "app/config/startup_checks.hpp"
#include "core/input_limits.hpp"
#include "core/token_digest.hpp"
#include "pipeline/alerts/attack_tags.hpp"
#include "tests/unit/config_errors.hpp"

using namespace vigie;
using vigie::test::config_errors;

namespace {

std::string file_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Every ATT&CK technique id the SigmaHQ snapshot's rules are tagged with.
std::set<std::string> sigmahq_techniques() {
    const std::filesystem::path sigma =
        std::filesystem::path(VIGIE_SOURCE_DIR) / ".." / "shared" / "sigma";
    const std::regex tag(R"(attack\.(t\d{4}(\.\d{3})?)\b)", std::regex::icase);
    std::set<std::string> out;
    for (const auto& dir : std::filesystem::directory_iterator(sigma)) {
        if (!dir.is_directory() || !dir.path().filename().string().starts_with("rules")) continue;
        for (const auto& f : std::filesystem::recursive_directory_iterator(dir.path())) {
            if (f.path().extension() != ".yml") continue;
            const std::string text = file_text(f.path());
            for (std::sregex_iterator it(text.begin(), text.end(), tag), end; it != end; ++it) {
                std::string id = (*it)[1].str();
                id[0] = 'T';
                out.insert(id);
            }
        }
    }
    return out;
}

std::string nested(size_t depth) {
    return "log: " + std::string(depth, '[') + std::string(depth, ']') + "\n";
}

// The start-up checks' diagnostics for a configuration read from `yaml`.
std::string startup_problems(const std::string& yaml) {
    Diagnostics diags;
    auto config = ConfigReader("vigie.yaml", diags).read(yaml);
    REQUIRE(config.has_value());
    check_serve_config(*config, diags);
    std::string out;
    for (const auto& d : diags) out += d.format() + "\n";
    return out;
}

// Restores the process's limits when a test changed them.
struct LimitsRestored {
    InputLimits saved = input_limits();
    ~LimitsRestored() { configure_input_limits(saved); }
};

}  // namespace

TEST_CASE("hardening 1: a configuration nested deeper than the limit is refused at its place") {
    CHECK(config_errors(nested(60)).find("nested") == std::string::npos);
    CHECK(config_errors(nested(100)) ==
          "vigie.yaml:1:69: the configuration is nested deeper than 64 levels\n");
    // The key, the sequence: a mapping counts as a level too.
    CHECK(config_errors("http: " + std::string(70, '{') + std::string(70, '}') + "\n")
              .starts_with("vigie.yaml:1:"));
    LimitsRestored restore;
    configure_input_limits({.max_nesting_depth = 8});
    CHECK(config_errors(nested(8)).find("nested") != std::string::npos);
}

TEST_CASE("hardening 1: past yaml-cpp's own bound (DeepRecursion) the error is located") {
    LimitsRestored restore;
    InputLimits wide = input_limits();
    wide.max_nesting_depth = 100000;  // out of the settable range: only to reach yaml-cpp's
    configure_input_limits(wide);
    const std::string errors = config_errors(nested(3000));
    CHECK(errors.starts_with("vigie.yaml:1:"));
    CHECK(errors.find("the configuration is nested deeper than") != std::string::npos);
}

TEST_CASE("hardening 1: an alias bomb in the configuration is refused without being expanded") {
    std::string yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 12; ++i) {
        yaml += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
        for (int k = 0; k < 10; ++k) yaml += (k ? ", *a" : "*a") + std::to_string(i - 1);
        yaml += "]\n";
    }
    const std::string errors = config_errors(yaml);  // 10^12 nodes expanded: instant
    // Right after the place: once "the configuration is the configuration expands".
    CHECK(errors.find(": the configuration expands to more than 100000 YAML nodes once its "
                      "aliases are resolved") != std::string::npos);
    CHECK(errors.starts_with("vigie.yaml:"));
    // A few aliases are fine.
    CHECK(config_errors("http: {listen: &l '127.0.0.1:0'}\nmetrics: {listen: *l}\n").empty());
}

TEST_CASE("hardening 1: the limits section sets every input limit") {
    Diagnostics diags;
    auto c = ConfigReader("vigie.yaml", diags)
                 .read(
                     "limits:\n  max_nesting_depth: 32\n  max_rule_nodes: 5000\n"
                     "  max_rule_values: 700\n");
    REQUIRE(c.has_value());
    CHECK(c->limits.max_nesting_depth == 32);
    CHECK(c->limits.max_rule_nodes == 5000);
    CHECK(c->limits.max_rule_values == 700);
    auto d = ConfigReader("vigie.yaml", diags).read("");
    REQUIRE(d.has_value());
    CHECK(d->limits.max_nesting_depth == InputLimits{}.max_nesting_depth);
    CHECK(config_errors("limits: {max_nesting_depth: 5000}\n") ==
          "vigie.yaml:1:29: limits.max_nesting_depth must be a whole number from 1 to 256\n");
    CHECK(config_errors("limits: {max_depth: 5}\n")
              .starts_with("vigie.yaml:1:10: unknown setting limits.max_depth (known here: "
                           "max_nesting_depth"));
}

TEST_CASE("hardening 13: a listen address is an IP address, refused at its place otherwise") {
    CHECK(config_errors("http: {listen: '999.1.1.1:8080'}\n") ==
          "vigie.yaml:1:16: http.listen: '999.1.1.1' is not an IP address (IPv4 such as "
          "127.0.0.1 or 0.0.0.0, or IPv6 in brackets such as [::1]; host names are not looked "
          "up)\n");
    CHECK(config_errors("metrics: {listen: 'example.org:9464'}\n")
              .starts_with("vigie.yaml:1:19: metrics.listen: 'example.org' is not an IP"));
    CHECK(config_errors("http: {listen: '[::1]:8080'}\nmetrics: {listen: '0.0.0.0:0'}\n").empty());
}

TEST_CASE("hardening 13: start-up checks name the file:line:col and key of each problem") {
    CHECK(startup_problems("rules: {paths: [/no/such/rules]}\n") ==
          "vigie.yaml:1:9: rules.paths: /no/such/rules does not exist\n");
    CHECK(startup_problems("rules: {paths: [/], mapping: nosuchmapping}\n")
              .starts_with("vigie.yaml:1:21: rules.mapping: no such mapping file, and no "
                           "built-in mapping of that name"));
    CHECK(startup_problems("rules: {paths: [/]}\nhttp:\n  tls:\n    enabled: true\n"
                           "    certificate: /dev/zero\n    private_key: /dev/zero\n") ==
          "vigie.yaml:5:5: http.tls.certificate: cannot read /dev/zero: not a regular file\n");
    const std::string webhook =
        "rules: {paths: [/]}\nspool: {directory: /tmp}\nalerts:\n  outputs:\n"
        "    - name: w\n      type: webhook\n      url: ftp://h/x\n"
        "      secret_env: VIGIE_UNIT_TEST_NEVER_SET\n";
    // A file in the working directory, a syslog HOST:PORT: fine.
    CHECK(startup_problems("rules: {paths: [/]}\nalerts: {outputs: [{name: f, type: file, path: "
                           "a.ndjson}, {name: s, type: syslog, address: '127.0.0.1:6514'}]}\n")
              .empty());
    CHECK(startup_problems(webhook) ==
          "vigie.yaml:7:7: alerts.outputs[0].url: a webhook url must be http:// or https://, "
          "not ftp://h/x\n"
          "vigie.yaml:8:7: alerts.outputs[0].secret_env: the environment variable "
          "VIGIE_UNIT_TEST_NEVER_SET is not set or empty (it holds the HMAC key)\n");
}

TEST_CASE("hardening 13: warnings for sample tokens, a shared admin token, exposure") {
    const std::string agency = sha256_hex("agency-token");
    const std::string problems = startup_problems(
        "rules: {paths: [/]}\nhttp: {listen: '0.0.0.0:8080'}\nmetrics: {listen: '[::]:9464'}\n"
        "agencies:\n  - {id: a, token_sha256: " +
        agency +
        "}\n"
        "  - {id: demo, token_sha256: " +
        sample_token_digests().front() +
        "}\n"
        "admin: {token_sha256: " +
        agency + "}\n");
    CHECK(problems.find("vigie.yaml:2:8: warning: http.listen: 0.0.0.0:8080 is reachable from "
                        "other machines without TLS") != std::string::npos);
    CHECK(problems.find("vigie.yaml:3:11: warning: metrics.listen: [::]:9464 is reachable from "
                        "other machines: /metrics has no TLS and no authentication") !=
          std::string::npos);
    CHECK(problems.find("vigie.yaml:6:16: warning: agencies[1].token_sha256: agency demo uses "
                        "a sample token") != std::string::npos);
    CHECK(problems.find("vigie.yaml:7:9: warning: admin.token_sha256: the admin token is agency "
                        "a's token") != std::string::npos);
    CHECK(problems.find("error") == std::string::npos);
}

TEST_CASE("hardening 13: every token and password of samples/ is known as a sample") {
    const std::regex digest(R"((token|password)_sha256:\s*([0-9a-f]{64}))");
    size_t seen = 0;
    for (const auto& f :
         std::filesystem::directory_iterator(std::filesystem::path(VIGIE_SOURCE_DIR) / "samples")) {
        if (f.path().extension() != ".yaml") continue;
        const std::string text = file_text(f.path());
        for (std::sregex_iterator it(text.begin(), text.end(), digest), end; it != end; ++it) {
            INFO(f.path().string() << ": " << (*it)[2].str());
            const auto& known = sample_token_digests();
            CHECK(std::find(known.begin(), known.end(), (*it)[2].str()) != known.end());
            ++seen;
        }
    }
    CHECK(seen >= 4);
}

TEST_CASE("hardening 15b: every technique of the SigmaHQ rules has its ATT&CK tactics") {
    const std::set<std::string> techniques = sigmahq_techniques();
    REQUIRE(techniques.size() > 300);
    for (const auto& t : techniques) {
        INFO("technique " << t);
        const auto tactics = attack_technique_tactics(t);
        CHECK(tactics.has_value());
        if (tactics) CHECK(*tactics != 0);
    }
}

TEST_CASE("hardening 15b: a technique's tactics are ATT&CK's, not the rule's first") {
    auto names = [](std::string_view technique) {
        std::string out;
        const auto set = attack_technique_tactics(technique);
        if (!set) return std::string("unknown");
        for (size_t bit = 0; bit < kAttackTacticCount; ++bit) {
            if ((*set >> bit) & 1U)
                out +=
                    std::string(out.empty() ? "" : ",") + std::string(attack_tactic_at(bit).name);
        }
        return out;
    };
    CHECK(names("T1218.005") == "Defense Evasion");
    CHECK(names("T1105") == "Command and Control");
    CHECK(names("T1053.005") == "Execution,Persistence,Privilege Escalation");
    CHECK(names("T1685") == "Defense Impairment");
    CHECK(names("T9999") == "unknown");
    CHECK(attack_tactic("attack.defense-impairment")->uid == "TA0112");
}
