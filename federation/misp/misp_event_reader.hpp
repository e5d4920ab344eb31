// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A MISP event (a feed's <uuid>.json: {"Event":{...,"Attribute":[...],"Object":[...]}})
// as STIX 2.1 indicators: each attribute marked for IDS (to_ids) whose type has an
// observable becomes one indicator, with the attribute's uuid as its id, its timestamp as
// its version, and the TLP of its own tags, else of the event's, else the default.
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "federation/stix/indicator.hpp"

namespace vigie::misp {

struct MispEventContent {
    std::vector<stix::Indicator> indicators;
    size_t attributes = 0;    // attributes seen
    size_t skipped = 0;       // not for IDS, deleted, or a type without an observable
    Diagnostics diagnostics;  // refused attributes, with Event.Attribute[i] and their uuid
};

struct MispEventOptions {
    std::string origin;  // names the file in diagnostics
    std::string source;  // recorded as each indicator's source (the feed)
    stix::Tlp default_tlp = stix::Tlp::Amber;
    size_t max_bytes = size_t{64} << 20;
};

MispEventContent read_misp_event(std::string_view text, const MispEventOptions& options);

}  // namespace vigie::misp
