// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Everything vigie serve refuses to start on that is known before it starts, in one place:
// serve runs it first and starts nothing when it finds an error; `vigie config check` runs
// it and says "valid" only when it finds none. So a configuration config check calls valid
// is one serve starts with, and each refusal has the same message in both.
#include <cstddef>

#include "app/config/serve_config.hpp"
#include "app/rule_loading.hpp"
#include "core/diagnostic.hpp"

namespace vigie {

struct StartupCheck {
    Diagnostics diagnostics;  // errors and warnings, the configuration's then the rules'
    size_t configuration_diagnostics = 0;  // the first ones: the configuration's
    size_t errors = 0;
    LoadedRuleset rules;  // compiled only when the configuration has no error
};

// The configuration (app/config/startup_checks.hpp), the federation peers' secret files (read
// as the poller reads them), then the rules, compiled as serve compiles them. Call after
// configure_input_limits(config.limits), as serve does, so the rules meet the same bounds.
StartupCheck check_serve_startup(const ServeConfig& config);

}  // namespace vigie
