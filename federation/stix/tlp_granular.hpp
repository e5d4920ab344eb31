// SPDX-License-Identifier: EUPL-1.2
#pragma once
// TLP granular markings (STIX 2.1, section 7.2.3): a property of an object can carry a
// stricter TLP than the object itself (a GREEN indicator whose `description` is RED). Every
// way out of vigie that sends an object's content to a peer goes through `disclose`, the
// one place that decides what of an object a peer may receive:
//
//  - the object's own TLP (object_marking_refs, else the default) must let it leave, as
//    before (federation/stix/tlp.hpp);
//  - a property whose granular TLP the peer may not receive is REDACTED: removed, so that
//    the rest of the object is still shared. A selector through a list
//    (`kill_chain_phases.[0].phase_name`) removes the whole top-level property (removing
//    one element would shift the indices the other selectors use); an object left empty
//    by a removal is removed too. The granular_markings entries of what was removed go
//    with it (they would name the redacted properties);
//  - the object is WITHHELD instead (fail closed) when a property it cannot go without
//    (type, id, spec_version, created, modified, an indicator's pattern...) would be
//    redacted, or when its granular_markings cannot be read or a selector does not
//    resolve in the object.
//
// A property's level is the strictest of the object's level and every granular TLP
// marking on it or on what contains it: a granular marking never makes a field less
// restricted than its object.
#include <cstdint>
#include <string>
#include <string_view>

#include "federation/stix/tlp.hpp"

namespace vigie::stix {

struct Disclosure {
    bool withheld = true;
    std::string json;    // the object as the peer may receive it (minified), when not withheld
    std::string reason;  // why withheld
};

// `default_tlp` is the level of an object without a TLP marking.
Disclosure disclose(std::string_view object_json, Tlp default_tlp, const PeerClearance& peer);

// What the markings of an object say, for the stores (they keep `required` as the object's
// level, so that a peer's queries, pages and counts never include an object that would be
// withheld) and for alerts (the properties they carry).
struct MarkingSummary {
    Tlp object = Tlp::Red;      // object_marking_refs' strictest, else the default
    Tlp required = Tlp::Red;    // the least a peer needs to receive the object in any form
    Tlp name = Tlp::Red;        // the level of `name`
    Tlp confidence = Tlp::Red;  // the level of `confidence`
    std::string problem;        // why the object is unreadable as marked (required is RED)
};

MarkingSummary summarize_markings(std::string_view object_json, Tlp default_tlp);

// The object as a revocation of itself: `revoked` true and `modified` set to `modified_us`,
// nothing else changed. What a peer that may not see an object's revoking version receives
// instead of it: the last version it could see, revoked. Empty when not a JSON object.
std::string as_revocation(std::string_view object_json, int64_t modified_us);

}  // namespace vigie::stix
