// SPDX-License-Identifier: EUPL-1.2
#pragma once
// TAXII 2.1's media type, application/taxii+json;version=2.1, in Accept and Content-Type.
// The specification lets a client leave the version out ("application/taxii+json" means
// the latest, 2.1); any other version is one this server does not speak.
#include <string_view>

namespace vigie::taxii {

inline constexpr std::string_view kTaxiiMediaType = "application/taxii+json;version=2.1";
inline constexpr std::string_view kStixMediaType = "application/stix+json;version=2.1";

// True when an Accept header admits TAXII 2.1 (an absent header, */*, application/* too).
bool accepts_taxii(std::string_view accept);
// True when a Content-Type is TAXII 2.1.
bool is_taxii_media_type(std::string_view content_type);

}  // namespace vigie::taxii
