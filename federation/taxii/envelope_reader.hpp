// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The objects of a posted TAXII envelope ({"objects":[...]}) or of a STIX bundle file
// (the seed of a collection), each checked on its own: one bad object never refuses the
// others.
#include <string>
#include <string_view>
#include <vector>

#include "federation/stix/tlp.hpp"
#include "federation/taxii/stix_object.hpp"

namespace vigie::taxii {

enum class EnvelopeError { None, NotJson, NotEnvelope };

struct EnvelopeContents {
    EnvelopeError error = EnvelopeError::None;
    std::string message;  // why, when error is set
    std::vector<CheckedObject> objects;
};

// Objects without a TLP marking are given `default_tlp`.
EnvelopeContents read_envelope(std::string_view json, stix::Tlp default_tlp);

}  // namespace vigie::taxii
