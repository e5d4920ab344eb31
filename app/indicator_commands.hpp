// SPDX-License-Identifier: EUPL-1.2
#pragma once
// `vigie indicators import` and `vigie indicators export`: the indicator store from the
// command line (what vigie serve and vigie scan --indicator-store use).
#include <string>
#include <vector>

namespace vigie {

struct IndicatorImportOptions {
    std::string store;
    std::vector<std::string> bundles;     // STIX 2.1 bundles
    std::vector<std::string> misp_feeds;  // directories or URLs
    std::string default_tlp = "amber";
    size_t max_indicators = 2'000'000;
};

struct IndicatorExportOptions {
    std::string store;
    bool amber = false;  // the receiver is cleared for TLP:AMBER
};

// 0 when everything was imported, 1 when something was refused, 2 on a usage error.
int run_indicators_import(const IndicatorImportOptions& options);
// Writes a STIX 2.1 bundle of the newest version of every indicator that may leave the
// organisation (TLP:CLEAR and GREEN; AMBER with --amber; never AMBER+STRICT or RED).
int run_indicators_export(const IndicatorExportOptions& options);

}  // namespace vigie
