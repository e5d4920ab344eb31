// SPDX-License-Identifier: EUPL-1.2
#include "pipeline/alerts/attack_tags.hpp"

#include <algorithm>
#include <array>

#include "core/text.hpp"

namespace vigie {

namespace {

constexpr std::string_view kPrefix = "attack.";

bool digits(std::string_view s, size_t n) {
    if (s.size() != n) return false;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

struct TacticEntry {
    std::string_view tag;  // Sigma's spelling, after "attack."
    AttackTactic tactic;
};

// The order is the bit order of attack_techniques.inc (generate_attack_table.py's TACTICS).
constexpr std::array<TacticEntry, kAttackTacticCount> kTactics{{
    {"reconnaissance", {"TA0043", "Reconnaissance"}},
    {"resource-development", {"TA0042", "Resource Development"}},
    {"initial-access", {"TA0001", "Initial Access"}},
    {"execution", {"TA0002", "Execution"}},
    {"persistence", {"TA0003", "Persistence"}},
    {"privilege-escalation", {"TA0004", "Privilege Escalation"}},
    {"defense-evasion", {"TA0005", "Defense Evasion"}},
    {"credential-access", {"TA0006", "Credential Access"}},
    {"discovery", {"TA0007", "Discovery"}},
    {"lateral-movement", {"TA0008", "Lateral Movement"}},
    {"collection", {"TA0009", "Collection"}},
    {"exfiltration", {"TA0010", "Exfiltration"}},
    {"command-and-control", {"TA0011", "Command and Control"}},
    {"impact", {"TA0040", "Impact"}},
    {"defense-impairment", {"TA0112", "Defense Impairment"}},  // ATT&CK v19
}};

struct TechniqueEntry {
    std::string_view technique;
    AttackTacticSet tactics;
};

constexpr TechniqueEntry kTechniques[] = {
#include "pipeline/alerts/attack_techniques.inc"
};
static_assert(std::is_sorted(std::begin(kTechniques), std::end(kTechniques),
                             [](const TechniqueEntry& a, const TechniqueEntry& b) {
                                 return a.technique < b.technique;
                             }),
              "attack_techniques.inc must be sorted by technique id (binary search)");

std::optional<size_t> tactic_index(std::string_view tag) {
    if (!tag.starts_with(kPrefix)) return std::nullopt;
    std::string_view name = tag.substr(kPrefix.size());
    for (size_t t = 0; t < kTactics.size(); ++t) {
        const std::string_view want = kTactics[t].tag;
        if (want.size() != name.size()) continue;
        bool same = true;
        for (size_t i = 0; i < name.size() && same; ++i) {
            const char c = ascii_lower(name[i]);
            same = (c == '_' ? '-' : c) == want[i];
        }
        if (same) return t;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> attack_technique(std::string_view tag) {
    if (!tag.starts_with(kPrefix)) return std::nullopt;
    std::string_view id = tag.substr(kPrefix.size());
    if (id.size() < 5 || (id[0] != 't' && id[0] != 'T')) return std::nullopt;
    std::string_view main = id.substr(1, 4);
    std::string_view sub = id.substr(5);
    if (!digits(main, 4)) return std::nullopt;
    if (!sub.empty() && (sub[0] != '.' || !digits(sub.substr(1), 3))) return std::nullopt;
    std::string out = "T";
    out += id.substr(1);
    return out;
}

std::optional<AttackTactic> attack_tactic(std::string_view tag) {
    if (auto t = tactic_index(tag)) return kTactics[*t].tactic;
    return std::nullopt;
}

const AttackTactic& attack_tactic_at(size_t bit) {
    return kTactics.at(bit).tactic;
}

std::optional<size_t> attack_tactic_bit(std::string_view tag) {
    return tactic_index(tag);
}

std::optional<AttackTacticSet> attack_technique_tactics(std::string_view technique) {
    const auto* end = std::end(kTechniques);
    const auto* it = std::lower_bound(
        std::begin(kTechniques), end, technique,
        [](const TechniqueEntry& e, std::string_view id) { return e.technique < id; });
    if (it == end || it->technique != technique) return std::nullopt;
    return it->tactics;
}

}  // namespace vigie
