// SPDX-License-Identifier: EUPL-1.2
#include <cstdio>

#include "app/stix_commands.hpp"
#include "federation/stix/observation_set.hpp"
#include "federation/stix/pattern_ast.hpp"
#include "federation/stix/pattern_eval.hpp"
#include "federation/stix/pattern_parser.hpp"

namespace vigie {

int run_stix_match(const StixMatchOptions& options) {
    stix::PatternParse parse = stix::parse_pattern(options.pattern);
    if (!parse.ok()) {
        std::fprintf(stderr, "vigie: invalid pattern: %s\n", parse.error().message.c_str());
        return 2;
    }
    stix::ObservationSet set;
    if (auto loaded = stix::load_observation_files(options.files, set); !loaded) {
        std::fprintf(stderr, "vigie: %s\n", loaded.error().message.c_str());
        return 2;
    }
    if (set.unresolved_refs() > 0)
        std::fprintf(stderr, "vigie: %zu object_refs name no object of the input (ignored)\n",
                     set.unresolved_refs());
    stix::EvalResult result = stix::evaluate(**parse, set);
    switch (result.status) {
        case stix::EvalResult::Status::Match:
            std::printf("match\n");
            for (const std::string& id : result.observed_data_ids) std::printf("%s\n", id.c_str());
            return 0;
        case stix::EvalResult::Status::NoMatch:
            std::printf("no match\n");
            return 1;
        case stix::EvalResult::Status::Unsupported:
            std::fprintf(stderr, "vigie: unsupported: %s\n", result.detail.c_str());
            return 3;
        case stix::EvalResult::Status::LimitHit:
            std::fprintf(stderr, "vigie: undecided: the search %s\n", result.detail.c_str());
            return 3;
    }
    return 3;
}

}  // namespace vigie
