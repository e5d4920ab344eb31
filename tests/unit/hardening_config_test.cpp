// Hardening issue, the configuration's items: ATT&CK tactics per technique (15b), the
// configuration's depth bound and limits section (1), what `config check` checks (13).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "alerts/attack_tags.hpp"

using namespace vigie;

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

}  // namespace

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
