// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The `vigie stix` subcommands.
#include <string>
#include <vector>

namespace vigie {

struct StixMatchOptions {
    std::string pattern;             // a STIX 2.1 pattern
    std::vector<std::string> files;  // bundles or JSON arrays; all observed-data form one set
};

// Prints "match" and the ids of the observed-data that satisfied the pattern, or "no match".
// Exit status: 0 match, 1 no match, 2 invalid pattern or unreadable input, 3 a valid pattern
// outside what the evaluator supports (or whose search hit its limits).
int run_stix_match(const StixMatchOptions& options);

}  // namespace vigie
