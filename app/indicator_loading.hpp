// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Threat indicators for `vigie scan` and `vigie indicators import`: the import sequence of
// federation/sharing/indicator_import.hpp, told on stderr (problems as
// file:line:col: id: message, then one line of counts per input).
#include "federation/sharing/indicator_import.hpp"

namespace vigie {

class PrintedImportReport final : public ImportReport {
  public:
    void unreadable(const std::string& file) override;
    void imported(const ImportOutcome& outcome) override;
};

// federation's load_indicators told on stderr; a store that cannot be opened is printed
// too (and leaves the store null).
LoadedIndicators load_indicators(const IndicatorLoadOptions& options);

}  // namespace vigie
