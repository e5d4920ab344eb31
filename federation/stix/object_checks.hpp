// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The checks one STIX object must pass before vigie keeps it: common properties for
// every object (type, id, spec_version, timestamps, markings) and, for indicators, the
// properties of STIX 2.1 section 4.7 and a pattern that parses. Internal to stix/.
#include <simdjson.h>

#include <optional>
#include <string>

#include "core/result.hpp"
#include "federation/stix/bundle_reader.hpp"
#include "federation/stix/indicator.hpp"
#include "federation/stix/stix_id.hpp"  // valid_stix_id, for the checks' users

namespace vigie::stix {

// The type and id are read even from a refused object: its diagnostic names it.
struct ObjectCheck {
    std::string type;
    std::string id;
    // The indicator (nullopt: a valid object that is not one), or why the object is refused.
    Result<std::optional<Indicator>> checked = Error{"not checked"};
};

ObjectCheck check_object(const simdjson::dom::element& object, const BundleOptions& options);

}  // namespace vigie::stix
