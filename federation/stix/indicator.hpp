// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A STIX 2.1 indicator as vigie keeps it: the properties the store, the matcher and the
// TLP checks need, and the object's JSON as received (what TAXII and exports send on).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "federation/stix/tlp.hpp"

namespace vigie::stix {

struct Indicator {
    std::string id;  // "indicator--<uuid>"
    std::string spec_version = "2.1";
    int64_t created_us = 0;
    int64_t modified_us = 0;  // the version: the newest wins
    int64_t valid_from_us = 0;
    std::optional<int64_t> valid_until_us;
    bool revoked = false;
    int confidence = -1;  // 0-100; -1: not given
    std::string name;
    std::string pattern;
    std::string pattern_type = "stix";  // "stix", "sigma", ...
    std::vector<std::string> labels;
    std::vector<std::string> kill_chain_phases;  // "kill_chain_name:phase_name"
    std::vector<std::string> marking_refs;       // object_marking_refs
    Tlp tlp = Tlp::Amber;                        // strictest marking, or the default
    std::string created_by_ref;
    std::string source;  // the peer (or file) it came from
    std::string json;    // the object, minified

    // Neither revoked nor past valid_until, and already valid at `now_us`.
    [[nodiscard]] bool active_at(int64_t now_us) const {
        return !revoked && valid_from_us <= now_us && (!valid_until_us || now_us < *valid_until_us);
    }
};

}  // namespace vigie::stix
