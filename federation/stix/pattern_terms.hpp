// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What vigie can match per event at line rate: the subset of STIX patterns that is a plain
// OR of single-value tests (an indicator feed's usual "[domain-name:value = 'x'] OR ...").
// Everything else needs an observation set and the evaluator (federation/stix/pattern_eval.hpp).
#include <string>
#include <vector>

namespace vigie::stix {

struct Pattern;

enum class TermOp {
    Equal,
    InNetwork,  // ISSUBSET with a CIDR on ipv4-addr/ipv6-addr:value
    Like,
    Matches
};

struct IndicatorTerm {
    // "domain-name", "ipv4-addr", "ipv6-addr", "url", "email-addr", "file", "network-traffic",
    // "process", ...
    std::string object_type;
    // The property path after the colon, keys unquoted and joined by '.': "value",
    // "hashes.SHA-256", "hashes.MD5", "dst_ref.value", "name". Hash names are normalised to
    // the specification's ("MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SSDEEP",
    // "TLSH"), so that hashes.'SHA256' and hashes.sha256 both give "hashes.SHA-256".
    std::string object_path;
    TermOp op = TermOp::Equal;
    // The constant (string unescaped); CIDR text for InNetwork; the regex for Matches; the
    // LIKE pattern for Like.
    std::string value;
};

struct LineRateTerms {
    std::vector<IndicatorTerm> any_of;  // the pattern matches an event iff one of these does
    // Empty when usable; else which part and why, e.g. "column 30: AND within an observation
    // is not matched per event".
    std::string unsupported;
};

// A pattern vigie matches per event: one or more observation expressions joined by OR,
// without qualifiers, each an OR of comparisons using =, IN (expanded to one Equal term per
// value), ISSUBSET (CIDR), LIKE or MATCHES on string constants. Anything else (AND, NOT, !=,
// FOLLOWEDBY, qualifiers, non-string constants ...) gives `unsupported`.
LineRateTerms line_rate_terms(const Pattern& pattern);

}  // namespace vigie::stix
