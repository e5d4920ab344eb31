#pragma once
// MITRE ATT&CK ids from Sigma tags: "attack.t1059.001" is technique T1059.001,
// "attack.execution" is tactic TA0002 (Sigma writes tactics by name, hyphenated).
#include <optional>
#include <string>
#include <string_view>

namespace vigie {

// "T1059.001" for "attack.t1059.001"; nothing for other tags.
std::optional<std::string> attack_technique(std::string_view tag);

struct AttackTactic {
    std::string_view uid;   // "TA0002"
    std::string_view name;  // "Execution"
};
// The tactic a tag names ("attack.defense-evasion" or "attack.defense_evasion").
std::optional<AttackTactic> attack_tactic(std::string_view tag);

}  // namespace vigie
