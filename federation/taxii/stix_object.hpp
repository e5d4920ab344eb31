// SPDX-License-Identifier: EUPL-1.2
#pragma once
// One posted STIX object, checked and reduced to what the collection store indexes: its
// identity, its version, its strictest TLP, and its text. Errors are values: a bad object
// is one failure of a POST, never an exception.
#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "federation/stix/tlp.hpp"

namespace vigie::taxii {

struct StixObjectRecord {
    std::string id;    // "indicator--<uuid>"
    std::string type;  // "indicator"
    std::string spec_version = "2.1";
    // modified, else created; nullopt for objects without either (SCOs), which are
    // versioned by the time they are added.
    std::optional<int64_t> version;
    // The least a peer needs to receive the object in any form: the strictest
    // object_marking_refs (else the default), raised by granular markings on properties
    // the object cannot go without (federation/stix/tlp_granular.hpp).
    stix::Tlp tlp = stix::Tlp::Amber;
    std::string json;  // minified
};

// The id and version are read even from an object refused: a TAXII status names the
// failures by them.
struct CheckedObject {
    // The object as a collection keeps it, or why it is refused.
    Result<StixObjectRecord> record = Error{"not checked"};
    std::string id;       // as posted, for the status ("" when absent)
    std::string version;  // its modified, else created, as posted ("" when absent)
};

// STIX 2.1's rules that matter to a collection: a JSON object, a type, an id of that type
// followed by a UUID, spec_version 2.1, created/modified timestamps where the type has them,
// granular_markings whose selectors resolve in the object.
CheckedObject check_stix_object(simdjson::dom::element object, stix::Tlp default_tlp);

}  // namespace vigie::taxii
