// SPDX-License-Identifier: EUPL-1.2
#include "federation/taxii/collection_store.hpp"

#include <algorithm>

#include "core/clock.hpp"

namespace vigie::taxii {

namespace {

// date_added is unique and increasing per collection (a clock row per collection, never
// decreasing, even when rows are deleted or the system clock steps back), so that a
// client paging with added_after or next never skips an object.
constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS objects (
  collection TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL,
  version INTEGER NOT NULL, versioned INTEGER NOT NULL, date_added INTEGER NOT NULL,
  spec_version TEXT NOT NULL, tlp INTEGER NOT NULL, json TEXT NOT NULL,
  PRIMARY KEY (collection, id, version));
CREATE UNIQUE INDEX IF NOT EXISTS objects_by_date_added ON objects (collection, date_added);
CREATE TABLE IF NOT EXISTS collection_clock (collection TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS statuses (id TEXT PRIMARY KEY, owner TEXT NOT NULL, json TEXT NOT NULL);
)";

// The WHERE clause of a filter, its values bound in order (?1, ?2, ...).
class FilterSql {
  public:
    FilterSql(const std::string& collection, const ObjectFilter& f) {
        mask_ = value(static_cast<int64_t>(f.visible_tlps));
        revocations_ = f.revocations;
        sql_ = " WHERE o.collection = " + value(collection) + " AND " + visible("o");
        if (f.added_after) sql_ += " AND o.date_added > " + value(*f.added_after);
        in_list("o.id", f.ids);
        in_list("o.type", f.types);
        in_list("o.spec_version", f.spec_versions);
        versions(collection, f);
    }
    [[nodiscard]] const std::string& sql() const { return sql_; }
    [[nodiscard]] const std::vector<sqlite::Value>& values() const { return values_; }
    std::string value(sqlite::Value v) {
        values_.push_back(std::move(v));
        return "?" + std::to_string(values_.size());
    }
    // The row's level is one the peer may receive.
    [[nodiscard]] std::string cleared(const std::string& table) const {
        return "((1 << " + table + ".tlp) & " + mask_ + ") != 0";
    }
    // The JSON of the last version before `table`'s that the peer may receive.
    [[nodiscard]] std::string last_cleared_before(const std::string& table,
                                                  const char* column) const {
        return "(SELECT p." + std::string(column) +
               " FROM objects p WHERE p.collection = " + table + ".collection AND p.id = " + table +
               ".id AND p.version < " + table + ".version AND " + cleared("p") +
               " ORDER BY p.version DESC LIMIT 1)";
    }

  private:
    // Cleared, or a revoking version of an object the peer saw a version of.
    [[nodiscard]] std::string visible(const std::string& table) const {
        if (!revocations_) return cleared(table);
        return "(" + cleared(table) + " OR (json_extract(" + table +
               ".json, '$.revoked') = 1 AND " + last_cleared_before(table, "version") +
               " IS NOT NULL))";
    }
    void in_list(const char* column, const std::vector<std::string>& list) {
        if (list.empty()) return;
        sql_ += std::string(" AND ") + column + " IN (";
        for (size_t i = 0; i < list.size(); ++i) sql_ += (i > 0 ? "," : "") + value(list[i]);
        sql_ += ")";
    }
    // last and first are among the versions the peer may see: a withheld version is, for
    // this peer, absent.
    void versions(const std::string& collection, const ObjectFilter& f) {
        const VersionMatch& m = f.versions;
        if (m.all || (!m.last && !m.first && m.exact.empty())) return;
        std::string any;
        auto extreme = [&](const char* fn) {
            return "o.version = (SELECT " + std::string(fn) +
                   "(v.version) FROM objects v WHERE v.collection = o.collection AND v.id = o.id "
                   "AND " +
                   visible("v") + ")";
        };
        if (m.last) any += extreme("MAX");
        if (m.first) any += (any.empty() ? "" : " OR ") + extreme("MIN");
        for (int64_t v : m.exact) any += (any.empty() ? "" : " OR ") + ("o.version = " + value(v));
        sql_ += " AND (" + any + ")";
    }

    std::string sql_;
    std::vector<sqlite::Value> values_;
    std::string mask_;
    bool revocations_ = true;
};

}  // namespace

uint32_t visible_tlp_mask(const stix::PeerClearance& peer) {
    uint32_t mask = 0;
    for (int level = 0; level <= static_cast<int>(stix::Tlp::Red); ++level)
        if (stix::tlp_may_leave(static_cast<stix::Tlp>(level), peer)) mask |= 1U << level;
    return mask;
}

Result<std::unique_ptr<CollectionStore>> CollectionStore::open(const std::string& path) {
    auto db = sqlite::Database::open(path, {.full_mutex = false, .busy_timeout_ms = 5000});
    if (!db) return Error{"cannot open " + path + ": " + db.error().message};
    for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", kSchema}) {
        if (auto done = db->exec(sql); !done)
            return Error{"cannot set up " + path + ": " + done.error().message};
    }
    return std::unique_ptr<CollectionStore>(new CollectionStore(std::move(*db)));
}

// The clock row of the collection moved past now (and past its last value).
Result<int64_t> CollectionStore::next_date_added(const std::string& collection) {
    auto read = db_.prepare("SELECT last FROM collection_clock WHERE collection = ?1");
    if (!read) return read.error();
    auto row = read->bind(1, collection).step();
    if (!row) return row.error();
    const int64_t last = *row ? read->integer(0) : 0;
    const int64_t next = std::max(unix_now_us(), last + 1);
    auto write = db_.prepare(
        "INSERT INTO collection_clock (collection, last) VALUES (?1, ?2) "
        "ON CONFLICT (collection) DO UPDATE SET last = excluded.last");
    if (!write) return write.error();
    if (auto written = write->bind(1, collection).bind(2, next).run(); !written)
        return written.error();
    return next;
}

AddOutcome CollectionStore::add_one(const std::string& collection, const StixObjectRecord& o,
                                    int64_t& version) {
    // An object without created/modified (an SCO) has one version: its id is derived from
    // its content, so the same id posted again is the same object.
    auto exists = db_.prepare(o.version ? "SELECT version FROM objects WHERE collection = ?1 AND "
                                          "id = ?2 AND version = ?3"
                                        : "SELECT version FROM objects WHERE collection = ?1 AND "
                                          "id = ?2");
    if (!exists) return AddOutcome::Failed;
    exists->bind(1, collection).bind(2, o.id);
    if (o.version) exists->bind(3, *o.version);
    auto row = exists->step();
    if (!row) return AddOutcome::Failed;
    if (*row) {
        version = exists->integer(0);
        return AddOutcome::AlreadyThere;
    }
    const auto date_added = next_date_added(collection);
    if (!date_added) return AddOutcome::Failed;
    version = o.version.value_or(*date_added);
    auto insert = db_.prepare(
        "INSERT INTO objects (collection, id, type, version, versioned, "
        "date_added, spec_version, tlp, json) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)");
    if (!insert) return AddOutcome::Failed;
    insert->bind_all({collection, o.id, o.type, version, int64_t{o.version ? 1 : 0}, *date_added,
                      o.spec_version, static_cast<int64_t>(o.tlp), o.json});
    return insert->run() ? AddOutcome::Added : AddOutcome::Failed;
}

std::vector<AddOutcome> CollectionStore::add(const std::string& collection,
                                             const std::vector<StixObjectRecord>& objects,
                                             std::vector<int64_t>* versions) {
    std::lock_guard lock(mutex_);
    std::vector<AddOutcome> outcomes(objects.size(), AddOutcome::Failed);
    std::vector<int64_t> stored(objects.size(), 0);
    auto transaction = sqlite::Transaction::begin(db_);
    if (!transaction) return outcomes;
    for (size_t i = 0; i < objects.size(); ++i)
        outcomes[i] = add_one(collection, objects[i], stored[i]);
    if (versions != nullptr) *versions = stored;
    if (!transaction->commit()) std::fill(outcomes.begin(), outcomes.end(), AddOutcome::Failed);
    return outcomes;
}

Result<ObjectPage> CollectionStore::query(const std::string& collection, const ObjectFilter& filter,
                                          uint32_t limit, bool with_json) {
    FilterSql where(collection, filter);
    // One row more than the page tells whether there is more.
    const std::string revocation = "NOT " + where.cleared("o");
    const std::string json = with_json
                                 ? "CASE WHEN " + revocation + " THEN " +
                                       where.last_cleared_before("o", "json") + " ELSE o.json END"
                                 : std::string("''");
    const std::string sql =
        "SELECT o.id, o.type, o.version, o.date_added, o.spec_version, o.tlp, " + json + ", " +
        revocation + " FROM objects o" + where.sql() + " ORDER BY o.date_added LIMIT " +
        where.value(int64_t{limit} + 1);
    std::lock_guard lock(mutex_);
    auto select = db_.prepare(sql);
    if (!select) return select.error();
    select->bind_all(where.values());
    ObjectPage page;
    Result<bool> row = false;
    while ((row = select->step()) && *row) {
        if (page.objects.size() == limit) {
            page.more = true;
            break;
        }
        const sqlite::Statement& r = *select;
        page.objects.push_back({r.text(0), r.text(1), r.integer(2), r.integer(3), r.text(4),
                                static_cast<stix::Tlp>(r.integer(5)), r.text(6),
                                r.integer(7) != 0});
        page.last_date_added = page.objects.back().date_added;
    }
    if (!row) return row.error();
    return page;
}

Result<int64_t> CollectionStore::remove(const std::string& collection, ObjectFilter filter) {
    // Only versions the peer is cleared for: a revocation it sees stands for a version it
    // may not touch.
    filter.revocations = false;
    FilterSql where(collection, filter);
    const std::string sql =
        "DELETE FROM objects WHERE rowid IN (SELECT o.rowid FROM objects o" + where.sql() + ")";
    std::lock_guard lock(mutex_);
    auto remove = db_.prepare(sql);
    if (!remove) return remove.error();
    if (auto removed = remove->bind_all(where.values()).run(); !removed) return removed.error();
    return db_.changes();
}

Status CollectionStore::save_status(const std::string& id, const std::string& owner,
                                    const std::string& json) {
    std::lock_guard lock(mutex_);
    auto insert =
        db_.prepare("INSERT OR REPLACE INTO statuses (id, owner, json) VALUES (?1,?2,?3)");
    if (!insert) return insert.error();
    return insert->bind_all({id, owner, json}).run();
}

std::optional<std::string> CollectionStore::status(const std::string& id,
                                                   const std::string& owner) {
    std::lock_guard lock(mutex_);
    auto select = db_.prepare("SELECT json FROM statuses WHERE id = ?1 AND owner = ?2");
    if (!select) return std::nullopt;
    auto row = select->bind_all({id, owner}).step();
    if (!row || !*row) return std::nullopt;
    return select->text(0);
}

}  // namespace vigie::taxii
