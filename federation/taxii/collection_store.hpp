// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The TAXII collections' objects, in one SQLite file (WAL), kept across restarts. Every
// version of every object is a row; the peer's TLP clearance is part of every query, so
// that pages, `more` and counts are computed over what the peer may see and nothing else.
//
// Revocations reach every peer that saw a version: a revoking version (`revoked: true`)
// the peer may not see is, for a peer that may see an earlier version, visible as a
// revocation of that earlier version (StoredObject::revocation): the caller sends the
// earlier version, revoked, with the revoking version's `modified`, and nothing of the
// withheld version.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "core/sqlite.hpp"
#include "federation/taxii/stix_object.hpp"

namespace vigie::taxii {

// match[version]: any of the listed ones; `all` overrides the others.
struct VersionMatch {
    bool all = false;
    bool last = false;
    bool first = false;
    std::vector<int64_t> exact;
};

struct ObjectFilter {
    uint32_t visible_tlps = 0;           // bit (1 << Tlp) set for every level the peer may receive
    bool revocations = true;             // withheld revoking versions count, as revocations
    std::optional<int64_t> added_after;  // exclusive, µs
    std::vector<std::string> ids;        // match[id]
    std::vector<std::string> types;      // match[type]
    std::vector<std::string> spec_versions;
    VersionMatch versions;
};

struct StoredObject {
    std::string id;
    std::string type;
    int64_t version = 0;  // µs
    int64_t date_added = 0;
    std::string spec_version;
    stix::Tlp tlp = stix::Tlp::Red;
    std::string json;  // empty when the query did not ask for it
    // The peer may not see this (revoking) version: `json` is the last version it may see,
    // to be sent revoked with this version's timestamp (stix::as_revocation).
    bool revocation = false;
};

struct ObjectPage {
    std::vector<StoredObject> objects;  // by date_added, ascending
    bool more = false;
    // The date_added of the page's last row: where the next page starts, even when the
    // caller leaves that row out of what it sends.
    int64_t last_date_added = 0;
};

enum class AddOutcome { Added, AlreadyThere, Failed };

class CollectionStore {
  public:
    // Opens (creating) the database.
    static Result<std::unique_ptr<CollectionStore>> open(const std::string& path);
    ~CollectionStore() = default;
    CollectionStore(const CollectionStore&) = delete;
    CollectionStore& operator=(const CollectionStore&) = delete;

    // Adds the objects in one transaction; an object whose id and version are there already
    // is not added again. One outcome per object, in order; `versions`, when given, gets
    // each object's version as stored (an SCO's is the time it was first added).
    std::vector<AddOutcome> add(const std::string& collection,
                                const std::vector<StixObjectRecord>& objects,
                                std::vector<int64_t>* versions = nullptr);
    // At most `limit` objects matching `filter`; an error when the database fails.
    Result<ObjectPage> query(const std::string& collection, const ObjectFilter& filter,
                             uint32_t limit, bool with_json);
    // Removes the versions matching `filter`; the number removed.
    Result<int64_t> remove(const std::string& collection, ObjectFilter filter);

    Status save_status(const std::string& id, const std::string& owner, const std::string& json);
    // The status resource, if it exists and `owner` posted it.
    std::optional<std::string> status(const std::string& id, const std::string& owner);

  private:
    explicit CollectionStore(sqlite::Database db) : db_(std::move(db)) {}
    Result<int64_t> next_date_added(const std::string& collection);
    AddOutcome add_one(const std::string& collection, const StixObjectRecord& object,
                       int64_t& version);

    std::mutex mutex_;  // one connection, used by both io threads
    sqlite::Database db_;
};

// The bit mask of ObjectFilter::visible_tlps for a peer, from stix::tlp_may_leave.
uint32_t visible_tlp_mask(const stix::PeerClearance& peer);

}  // namespace vigie::taxii
