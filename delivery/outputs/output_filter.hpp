// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Which alerts an output takes (`filter` of an output in the configuration), decided on
// the routing fields of the alert record (or of its stored form in the spool), whatever
// the alert format.
#include "delivery/outputs/output_settings.hpp"
#include "pipeline/alerts/alert_record.hpp"

namespace vigie {

// True when the alert passes every criterion: level at least min_level, agency in
// `agencies` (when the list is not empty), one of `tags` among the rule's tags (when not
// empty), and rule id not in `exclude_rules`. Comparisons are exact (case-sensitive):
// agencies, tags and rule ids are identifiers. An output leaving the organisation also
// refuses what the alert's TLP (its most restrictive tlp:* tag) forbids
// (federation/stix/tlp.hpp's rule).
[[nodiscard]] bool filter_accepts(const OutputFilter& filter, const AlertRouting& routing);

}  // namespace vigie
