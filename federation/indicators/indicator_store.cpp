#include "federation/indicators/indicator_store.hpp"

namespace vigie {
namespace {

constexpr const char* kSchema = R"(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE IF NOT EXISTS indicator_versions(
  id TEXT NOT NULL, modified INTEGER NOT NULL, source TEXT NOT NULL, json TEXT NOT NULL,
  PRIMARY KEY(id, modified)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS indicators(
  id TEXT PRIMARY KEY, modified INTEGER NOT NULL, added INTEGER NOT NULL,
  valid_from INTEGER NOT NULL, valid_until INTEGER, revoked INTEGER NOT NULL,
  tlp INTEGER NOT NULL, confidence INTEGER NOT NULL, source TEXT NOT NULL,
  pattern_type TEXT NOT NULL, pattern TEXT NOT NULL, name TEXT NOT NULL,
  created_by_ref TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS indicators_added ON indicators(added);
CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sightings(
  indicator_id TEXT PRIMARY KEY, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
  count INTEGER NOT NULL);
)";

std::string text_at(sqlite3_stmt* s, int i) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s, i))) : std::string();
}

// A prepared statement: freed at the end of the scope, or (borrowed) reset for reuse.
class Statement {
  public:
    explicit Statement(sqlite3_stmt* s, bool owned = true) : s_(s), owned_(owned) {}
    ~Statement() {
        if (owned_) {
            sqlite3_finalize(s_);
        } else {
            sqlite3_reset(s_);
            sqlite3_clear_bindings(s_);
        }
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    sqlite3_stmt* get() const { return s_; }
    void text(int i, const std::string& v) const {
        sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    }
    void integer(int i, int64_t v) const { sqlite3_bind_int64(s_, i, v); }
    std::string column_text(int i) const { return text_at(s_, i); }

  private:
    sqlite3_stmt* s_;
    bool owned_;
};

// A row of for_each_current's query, from column 1 (column 0 is the rowid).
stix::Indicator read_current(sqlite3_stmt* s) {
    stix::Indicator ind;
    ind.id = text_at(s, 1);
    ind.modified_us = sqlite3_column_int64(s, 2);
    ind.valid_from_us = sqlite3_column_int64(s, 3);
    ind.valid_until_us = sqlite3_column_type(s, 4) == SQLITE_NULL
                             ? std::nullopt
                             : std::optional<int64_t>(sqlite3_column_int64(s, 4));
    ind.revoked = sqlite3_column_int(s, 5) != 0;
    ind.tlp = static_cast<stix::Tlp>(sqlite3_column_int(s, 6));
    ind.confidence = sqlite3_column_int(s, 7);
    ind.source = text_at(s, 8);
    ind.pattern_type = text_at(s, 9);
    ind.pattern = text_at(s, 10);
    ind.name = text_at(s, 11);
    ind.created_by_ref = text_at(s, 12);
    return ind;
}

}  // namespace

std::unique_ptr<IndicatorStore> IndicatorStore::open(const std::string& path, size_t max_indicators,
                                                     std::string& error) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        error = "indicator store " + path + ": " + (db ? sqlite3_errmsg(db) : "cannot open");
        sqlite3_close(db);
        return nullptr;
    }
    sqlite3_busy_timeout(db, 5000);
    std::unique_ptr<IndicatorStore> store(new IndicatorStore(db, max_indicators));
    if (!store->exec(kSchema, error)) {
        error = "indicator store " + path + ": " + error;
        return nullptr;
    }
    store->newest_ = store->prepare("SELECT modified FROM indicators WHERE id = ?1");
    store->insert_version_ =
        store->prepare("INSERT OR IGNORE INTO indicator_versions VALUES (?1, ?2, ?3, ?4)");
    store->insert_current_ = store->prepare(
        "INSERT OR REPLACE INTO indicators VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
        "?12, ?13)");
    Statement count(store->prepare("SELECT count(*) FROM indicators"));
    if (count.get() && sqlite3_step(count.get()) == SQLITE_ROW)
        store->count_ = static_cast<size_t>(sqlite3_column_int64(count.get(), 0));
    return store;
}

IndicatorStore::~IndicatorStore() {
    for (sqlite3_stmt* s : {newest_, insert_version_, insert_current_}) sqlite3_finalize(s);
    sqlite3_close(db_);
}

bool IndicatorStore::exec(const char* sql, std::string& error) const {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) == SQLITE_OK) return true;
    error = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    return false;
}

sqlite3_stmt* IndicatorStore::prepare(const char* sql) const {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    return s;
}

PutOutcome IndicatorStore::put_one(const stix::Indicator& ind, int64_t now_us, std::string& error) {
    Statement newest(newest_, false);
    newest.text(1, ind.id);
    const bool known = sqlite3_step(newest.get()) == SQLITE_ROW;
    if (known && sqlite3_column_int64(newest.get(), 0) >= ind.modified_us) return PutOutcome::Stale;
    Statement version(insert_version_, false);
    version.text(1, ind.id);
    version.integer(2, ind.modified_us);
    version.text(3, ind.source);
    version.text(4, ind.json);
    Statement current(insert_current_, false);
    current.text(1, ind.id);
    current.integer(2, ind.modified_us);
    current.integer(3, now_us);
    current.integer(4, ind.valid_from_us);
    if (ind.valid_until_us) current.integer(5, *ind.valid_until_us);
    current.integer(6, ind.revoked ? 1 : 0);
    current.integer(7, static_cast<int64_t>(ind.tlp));
    current.integer(8, ind.confidence);
    current.text(9, ind.source);
    current.text(10, ind.pattern_type);
    current.text(11, ind.pattern);
    current.text(12, ind.name);
    current.text(13, ind.created_by_ref);
    if (sqlite3_step(version.get()) != SQLITE_DONE || sqlite3_step(current.get()) != SQLITE_DONE) {
        error = sqlite3_errmsg(db_);
        return PutOutcome::Stale;
    }
    if (!known) ++count_;
    return known ? PutOutcome::Updated : PutOutcome::Added;
}

void IndicatorStore::evict(size_t excess, int64_t now_us, std::vector<std::string>& evicted,
                           std::string& error) {
    // Revoked and expired first (they match nothing), then the least recently added.
    Statement pick(
        prepare("SELECT id FROM indicators ORDER BY (revoked = 1 OR (valid_until IS NOT NULL AND "
                "valid_until <= ?1)) DESC, added ASC LIMIT ?2"));
    pick.integer(1, now_us);
    pick.integer(2, static_cast<int64_t>(excess));
    while (sqlite3_step(pick.get()) == SQLITE_ROW) evicted.push_back(pick.column_text(0));
    Statement drop(prepare("DELETE FROM indicators WHERE id = ?1"));
    Statement drop_versions(prepare("DELETE FROM indicator_versions WHERE id = ?1"));
    for (const auto& id : evicted) {
        for (const Statement* s : {&drop, &drop_versions}) {
            sqlite3_reset(s->get());
            s->text(1, id);
            if (sqlite3_step(s->get()) != SQLITE_DONE) error = sqlite3_errmsg(db_);
        }
    }
    count_ -= evicted.size();
    evictions_ += evicted.size();
}

PutResult IndicatorStore::put(std::span<const stix::Indicator> indicators, int64_t now_us,
                              std::string& error) {
    std::lock_guard lock(mutex_);
    PutResult result;
    const size_t count_before = count_;
    const uint64_t evictions_before = evictions_;
    if (!exec("BEGIN IMMEDIATE", error)) return result;
    for (const auto& ind : indicators) {
        result.outcomes.push_back(put_one(ind, now_us, error));
        if (!error.empty()) break;
    }
    if (error.empty() && count_ > max_) evict(count_ - max_, now_us, result.evicted, error);
    if (!error.empty() || !exec("COMMIT", error)) {
        std::string ignored;
        exec("ROLLBACK", ignored);
        count_ = count_before;
        evictions_ = evictions_before;
        return {};
    }
    return result;
}

// Read a page at a time, the mutex released between pages, so that a background merge
// reading a million indicators never holds up an arrival for longer than one page. A row
// replaced meanwhile gets a new rowid and may be read twice (old and new version): the
// catalogue's newer segment supersedes both.
void IndicatorStore::for_each_current(
    const std::function<void(const stix::Indicator&)>& visit) const {
    constexpr int64_t kPage = 8192;
    int64_t after = 0;
    std::vector<stix::Indicator> page;
    do {
        page.clear();
        {
            std::lock_guard lock(mutex_);
            Statement s(prepare(
                "SELECT rowid, id, modified, valid_from, valid_until, revoked, tlp, confidence, "
                "source, pattern_type, pattern, name, created_by_ref FROM indicators "
                "WHERE rowid > ?1 ORDER BY rowid LIMIT ?2"));
            s.integer(1, after);
            s.integer(2, kPage);
            while (sqlite3_step(s.get()) == SQLITE_ROW) {
                after = sqlite3_column_int64(s.get(), 0);
                page.push_back(read_current(s.get()));
            }
        }
        for (const auto& ind : page) visit(ind);
    } while (static_cast<int64_t>(page.size()) == kPage);
}

std::vector<std::string> IndicatorStore::versions(const std::string& id) const {
    std::lock_guard lock(mutex_);
    Statement s(prepare("SELECT json FROM indicator_versions WHERE id = ?1 ORDER BY modified"));
    s.text(1, id);
    std::vector<std::string> out;
    while (sqlite3_step(s.get()) == SQLITE_ROW) out.push_back(s.column_text(0));
    return out;
}

void IndicatorStore::for_each_json(
    int64_t after_us,
    const std::function<void(const std::string&, const std::string&, stix::Tlp)>& visit) const {
    std::lock_guard lock(mutex_);
    Statement s(
        prepare("SELECT i.id, v.json, i.tlp FROM indicators i JOIN indicator_versions v "
                "ON v.id = i.id AND v.modified = i.modified WHERE i.added > ?1 ORDER BY i.added"));
    s.integer(1, after_us);
    while (sqlite3_step(s.get()) == SQLITE_ROW)
        visit(s.column_text(0), s.column_text(1),
              static_cast<stix::Tlp>(sqlite3_column_int(s.get(), 2)));
}

std::optional<IndicatorOrigin> IndicatorStore::origin(const std::string& id) const {
    std::lock_guard lock(mutex_);
    Statement s(prepare("SELECT source, tlp FROM indicators WHERE id = ?1"));
    s.text(1, id);
    if (sqlite3_step(s.get()) != SQLITE_ROW) return std::nullopt;
    return IndicatorOrigin{s.column_text(0),
                           static_cast<stix::Tlp>(sqlite3_column_int(s.get(), 1))};
}

SightingTotal IndicatorStore::add_sighting(const std::string& id, int64_t first_ms, int64_t last_ms,
                                           uint64_t count) {
    std::lock_guard lock(mutex_);
    Statement up(prepare(
        "INSERT INTO sightings VALUES (?1, ?2, ?3, ?4) ON CONFLICT(indicator_id) DO UPDATE SET "
        "first_seen = min(first_seen, ?2), last_seen = max(last_seen, ?3), count = count + ?4 "
        "RETURNING first_seen, last_seen, count"));
    up.text(1, id);
    up.integer(2, first_ms);
    up.integer(3, last_ms);
    up.integer(4, static_cast<int64_t>(count));
    SightingTotal total{first_ms, last_ms, count};
    if (sqlite3_step(up.get()) == SQLITE_ROW) {
        total = {sqlite3_column_int64(up.get(), 0), sqlite3_column_int64(up.get(), 1),
                 static_cast<uint64_t>(sqlite3_column_int64(up.get(), 2))};
    }
    return total;
}

size_t IndicatorStore::count() const {
    std::lock_guard lock(mutex_);
    return count_;
}

std::optional<std::string> IndicatorStore::state(const std::string& key) const {
    std::lock_guard lock(mutex_);
    Statement s(prepare("SELECT value FROM state WHERE key = ?1"));
    s.text(1, key);
    if (sqlite3_step(s.get()) != SQLITE_ROW) return std::nullopt;
    return s.column_text(0);
}

bool IndicatorStore::set_state(const std::string& key, const std::string& value,
                               std::string& error) {
    std::lock_guard lock(mutex_);
    Statement s(prepare("INSERT OR REPLACE INTO state VALUES (?1, ?2)"));
    s.text(1, key);
    s.text(2, value);
    if (sqlite3_step(s.get()) == SQLITE_DONE) return true;
    error = sqlite3_errmsg(db_);
    return false;
}

}  // namespace vigie
