// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The `vigie` command line: every subcommand with its options and help text (CLI11), parsed
// into the options of the command it runs. Adding a command is one add_* function here and
// one run_* function in the command's own file.
#include <CLI/CLI.hpp>
#include <string>

#include "app/commands.hpp"
#include "app/indicator_commands.hpp"
#include "app/sigma_indicators.hpp"
#include "app/stix_commands.hpp"

namespace vigie {

class CommandLine {
  public:
    CommandLine();
    // Parses argv and runs the command it names; the exit status (2: bad command line).
    int run(int argc, char** argv);

  private:
    void add_scan();
    void add_rules();
    void add_serve();
    void add_config();
    void add_stix();
    void add_indicators();
    int dispatch();

    CLI::App app_;
    ScanOptions scan_;
    RuleLoadOptions check_;
    RulesPendingOptions pending_;
    RulesAcceptOptions accept_;
    ServeOptions serve_;
    std::string config_file_;
    StixMatchOptions stix_match_;
    IndicatorImportOptions indicators_import_;
    IndicatorExportOptions indicators_export_;
    struct Commands {
        CLI::App* scan = nullptr;
        CLI::App* check = nullptr;
        CLI::App* pending = nullptr;
        CLI::App* accept = nullptr;
        CLI::App* serve = nullptr;
        CLI::App* config_check = nullptr;
        CLI::App* stix_match = nullptr;
        CLI::App* indicators_import = nullptr;
        CLI::App* indicators_export = nullptr;
    } commands_;
};

}  // namespace vigie
