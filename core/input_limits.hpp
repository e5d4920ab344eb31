// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Every bound vigie puts on untrusted input, in one struct (as Hyperscan keeps its tunables
// in one place). Events, STIX bundles and patterns, TAXII bodies, MISP events, Sigma rules
// and conditions, and the configuration are all walked under these bounds, so no input can
// exhaust the stack, the memory or the CPU of the process.
//
// The process holds one InputLimits. It is set once at start-up (from the command line or
// the `limits:` section of the serve configuration) before any thread reads it, and is never
// written again: readers take it by const reference with no lock.
#include <cstdint>

namespace vigie {

// The largest max_nesting_depth an operator may set (the command line and the `limits:`
// section check against it). The recursive walks (the event parser, the STIX pattern
// parser: several frames a level) must stay far inside a thread's 8 MiB stack even under
// the sanitizers, where a STIX pattern 1024 levels deep overflowed it.
inline constexpr uint32_t kMaxNestingDepthSetting = 256;

struct InputLimits {
    // The deepest nesting of objects/arrays (JSON), mappings/sequences (YAML) or
    // parentheses (Sigma conditions, STIX patterns) any walk accepts. Real events nest
    // under 20 levels; 64 leaves room and keeps every recursive walk's stack small.
    uint32_t max_nesting_depth = 64;
    // What one Sigma rule may expand to once YAML aliases are resolved: nodes visited
    // while reading it. A billion-laughs rule of 22 KB otherwise becomes 400,000 patterns.
    uint64_t max_rule_nodes = 100000;
    // Field tests (one value of one field) one rule may compile to.
    uint64_t max_rule_values = 20000;
    // Selectors in one STIX object's granular_markings (all entries). Real objects carry a
    // handful; each is resolved against the object, so an object over this is withheld
    // from every peer (fail closed) rather than resolved.
    uint32_t max_granular_selectors = 1000;

    bool operator==(const InputLimits&) const = default;
};

// The process's limits (the defaults until configure_input_limits is called).
const InputLimits& input_limits();

// Start-up only, before any thread reads the limits.
void configure_input_limits(const InputLimits& limits);

// "nested deeper than N levels": the one wording every walk uses, so that operators can
// grep one message whichever input tripped it.
const char* nesting_error_text();

}  // namespace vigie
