// SPDX-License-Identifier: EUPL-1.2
#pragma once
// One page a TAXII peer answered to GET .../objects/: the envelope
// {"more":bool,"next":"...","objects":[...]} read with simdjson, each object kept as its
// minified JSON for the sink to check (nothing here trusts an object's content).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace vigie::taxii {

struct EnvelopePage {
    bool more = false;
    std::string next;                  // the peer's token for the next page, if it gave one
    std::vector<std::string> objects;  // minified, in the peer's order
    // The greatest `date_added` among the objects, for peers that put it there and send
    // no X-TAXII-Date-Added-Last header ("" when none has one).
    std::string greatest_date_added;
};

// An error: the page is refused whole (not JSON, not an envelope, too many objects). A page
// of more than `max_objects` objects is refused: the peer ignores our limit=.
Result<EnvelopePage> read_envelope_page(std::string_view body, size_t max_objects);

}  // namespace vigie::taxii
