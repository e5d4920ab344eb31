#include "federation/taxii/collection_store.hpp"

#include <algorithm>
#include <chrono>

#include "federation/taxii/sqlite_statement.hpp"

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

int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

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
    [[nodiscard]] const std::vector<SqlValue>& values() const { return values_; }
    std::string value(SqlValue v) {
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
    std::vector<SqlValue> values_;
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

std::unique_ptr<CollectionStore> CollectionStore::open(const std::string& path,
                                                       std::string& error) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
        error = "cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return nullptr;
    }
    std::unique_ptr<CollectionStore> store(new CollectionStore(db));
    sqlite3_busy_timeout(db, 5000);
    if (!store->exec("PRAGMA journal_mode=WAL") || !store->exec("PRAGMA synchronous=NORMAL") ||
        !store->exec(kSchema)) {
        error = "cannot set up " + path + ": " + sqlite3_errmsg(db);
        return nullptr;
    }
    return store;
}

CollectionStore::~CollectionStore() {
    sqlite3_close(db_);
}

bool CollectionStore::exec(const char* sql) {
    return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

int64_t CollectionStore::next_date_added(const std::string& collection) {
    SqlStatement read(db_, "SELECT last FROM collection_clock WHERE collection = ?1");
    read.bind_all({collection});
    const int64_t last = read.step() == SQLITE_ROW ? read.integer(0) : 0;
    const int64_t next = std::max(now_us(), last + 1);
    SqlStatement write(db_,
                       "INSERT INTO collection_clock (collection, last) VALUES (?1, ?2) "
                       "ON CONFLICT (collection) DO UPDATE SET last = excluded.last");
    write.bind_all({collection, next});
    write.step();
    return next;
}

AddOutcome CollectionStore::add_one(const std::string& collection, const StixObjectRecord& o,
                                    int64_t& version) {
    // An object without created/modified (an SCO) has one version: its id is derived from
    // its content, so the same id posted again is the same object.
    SqlStatement exists(db_, o.version ? "SELECT version FROM objects WHERE collection = ?1 AND "
                                         "id = ?2 AND version = ?3"
                                       : "SELECT version FROM objects WHERE collection = ?1 AND "
                                         "id = ?2");
    if (!exists.ok()) return AddOutcome::Failed;
    exists.bind_all({collection, o.id, o.version.value_or(0)});
    if (exists.step() == SQLITE_ROW) {
        version = exists.integer(0);
        return AddOutcome::AlreadyThere;
    }
    const int64_t date_added = next_date_added(collection);
    version = o.version.value_or(date_added);
    SqlStatement insert(db_,
                        "INSERT INTO objects (collection, id, type, version, versioned, "
                        "date_added, spec_version, tlp, json) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)");
    if (!insert.ok()) return AddOutcome::Failed;
    insert.bind_all({collection, o.id, o.type, o.version.value_or(date_added),
                     int64_t{o.version ? 1 : 0}, date_added, o.spec_version,
                     static_cast<int64_t>(o.tlp), o.json});
    return insert.step() == SQLITE_DONE ? AddOutcome::Added : AddOutcome::Failed;
}

std::vector<AddOutcome> CollectionStore::add(const std::string& collection,
                                             const std::vector<StixObjectRecord>& objects,
                                             std::vector<int64_t>* versions) {
    std::lock_guard lock(mutex_);
    std::vector<AddOutcome> outcomes(objects.size(), AddOutcome::Failed);
    std::vector<int64_t> stored(objects.size(), 0);
    if (!exec("BEGIN IMMEDIATE")) return outcomes;
    for (size_t i = 0; i < objects.size(); ++i)
        outcomes[i] = add_one(collection, objects[i], stored[i]);
    if (versions != nullptr) *versions = stored;
    if (!exec("COMMIT")) {
        exec("ROLLBACK");
        std::fill(outcomes.begin(), outcomes.end(), AddOutcome::Failed);
    }
    return outcomes;
}

std::optional<ObjectPage> CollectionStore::query(const std::string& collection,
                                                 const ObjectFilter& filter, uint32_t limit,
                                                 bool with_json) {
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
    SqlStatement select(db_, sql);
    if (!select.ok()) return std::nullopt;
    select.bind_all(where.values());
    ObjectPage page;
    int rc = SQLITE_ROW;
    while ((rc = select.step()) == SQLITE_ROW) {
        if (page.objects.size() == limit) {
            page.more = true;
            break;
        }
        page.objects.push_back(
            {select.text(0), select.text(1), select.integer(2), select.integer(3), select.text(4),
             static_cast<stix::Tlp>(select.integer(5)), select.text(6), select.integer(7) != 0});
        page.last_date_added = page.objects.back().date_added;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return std::nullopt;
    return page;
}

std::optional<int64_t> CollectionStore::remove(const std::string& collection, ObjectFilter filter) {
    // Only versions the peer is cleared for: a revocation it sees stands for a version it
    // may not touch.
    filter.revocations = false;
    FilterSql where(collection, filter);
    const std::string sql =
        "DELETE FROM objects WHERE rowid IN (SELECT o.rowid FROM objects o" + where.sql() + ")";
    std::lock_guard lock(mutex_);
    SqlStatement remove(db_, sql);
    if (!remove.ok()) return std::nullopt;
    remove.bind_all(where.values());
    if (remove.step() != SQLITE_DONE) return std::nullopt;
    return sqlite3_changes(db_);
}

bool CollectionStore::save_status(const std::string& id, const std::string& owner,
                                  const std::string& json) {
    std::lock_guard lock(mutex_);
    SqlStatement insert(db_, "INSERT OR REPLACE INTO statuses (id, owner, json) VALUES (?1,?2,?3)");
    if (!insert.ok()) return false;
    insert.bind_all({id, owner, json});
    return insert.step() == SQLITE_DONE;
}

std::optional<std::string> CollectionStore::status(const std::string& id,
                                                   const std::string& owner) {
    std::lock_guard lock(mutex_);
    SqlStatement select(db_, "SELECT json FROM statuses WHERE id = ?1 AND owner = ?2");
    if (!select.ok()) return std::nullopt;
    select.bind_all({id, owner});
    if (select.step() != SQLITE_ROW) return std::nullopt;
    return select.text(0);
}

}  // namespace vigie::taxii
