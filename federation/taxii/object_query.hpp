// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The query string of the TAXII object endpoints (added_after, limit, next, match[...]) as
// a store filter. Percent-encoded keys and values are decoded (clients write match%5Bid%5D).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "federation/taxii/collection_store.hpp"

namespace vigie::taxii {

struct ObjectQuery {
    ObjectFilter filter;
    uint32_t limit = 0;
};

enum class DefaultVersions { Last, All };

// `query` is the target after '?' (empty without one). A limit over `max_limit` is
// lowered to it, as the specification lets a server do. An error: the query is malformed
// (400).
Result<ObjectQuery> parse_object_query(std::string_view query, uint32_t default_limit,
                                       uint32_t max_limit, DefaultVersions default_versions);

// The `next` value of a page that ended with `date_added`: the client sends it back and
// the next page starts after it.
std::string next_token(int64_t date_added);

}  // namespace vigie::taxii
