// SPDX-License-Identifier: EUPL-1.2
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

// The readers below answer "nothing" when the store fails under them (they have no
// error to report to): a failed step ends the rows like the last one.
bool has_row(sqlite::Statement& s) {
    auto row = s.step();
    return row.ok() && *row;
}

// A row of for_each_current's query, from column 1 (column 0 is the rowid).
stix::Indicator read_current(const sqlite::Statement& s) {
    stix::Indicator ind;
    ind.id = s.text(1);
    ind.modified_us = s.integer(2);
    ind.valid_from_us = s.integer(3);
    ind.valid_until_us = s.optional_integer(4);
    ind.revoked = s.integer(5) != 0;
    ind.tlp = static_cast<stix::Tlp>(s.integer(6));
    ind.confidence = static_cast<int>(s.integer(7));
    ind.source = s.text(8);
    ind.pattern_type = s.text(9);
    ind.pattern = s.text(10);
    ind.name = s.text(11);
    ind.created_by_ref = s.text(12);
    return ind;
}

}  // namespace

Result<std::unique_ptr<IndicatorStore>> IndicatorStore::open(const std::string& path,
                                                             size_t max_indicators) {
    auto fail = [&](const Error& e) { return Error{"indicator store " + path + ": " + e.message}; };
    auto db = sqlite::Database::open(path, {.full_mutex = true, .busy_timeout_ms = 5000});
    if (!db) return fail(db.error());
    if (auto schema = db->exec(kSchema); !schema) return fail(schema.error());
    auto newest = db->prepare("SELECT modified FROM indicators WHERE id = ?1", true);
    if (!newest) return fail(newest.error());
    auto insert_version =
        db->prepare("INSERT OR IGNORE INTO indicator_versions VALUES (?1, ?2, ?3, ?4)", true);
    if (!insert_version) return fail(insert_version.error());
    auto insert_current = db->prepare(
        "INSERT OR REPLACE INTO indicators VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
        "?12, ?13)",
        true);
    if (!insert_current) return fail(insert_current.error());
    auto count = db->prepare("SELECT count(*) FROM indicators");
    if (!count) return fail(count.error());
    auto row = count->step();
    if (!row) return fail(row.error());
    const auto known = static_cast<size_t>(*row ? count->integer(0) : 0);
    std::unique_ptr<IndicatorStore> store(
        new IndicatorStore(std::move(*db), std::move(*newest), std::move(*insert_version),
                           std::move(*insert_current), max_indicators));
    store->count_ = known;
    return store;
}

Result<PutOutcome> IndicatorStore::put_one(const stix::Indicator& ind, int64_t now_us) {
    const sqlite::ResetOnExit newest_done(newest_);
    auto found = newest_.bind(1, ind.id).step();
    if (!found) return found.error();
    const bool known = *found;
    if (known && newest_.integer(0) >= ind.modified_us) return PutOutcome::Stale;
    const sqlite::ResetOnExit version_done(insert_version_);
    insert_version_.bind(1, ind.id).bind(2, ind.modified_us).bind(3, ind.source).bind(4, ind.json);
    const sqlite::ResetOnExit current_done(insert_current_);
    insert_current_.bind(1, ind.id).bind(2, ind.modified_us).bind(3, now_us);
    insert_current_.bind(4, ind.valid_from_us);
    if (ind.valid_until_us) insert_current_.bind(5, *ind.valid_until_us);
    insert_current_.bind(6, int64_t{ind.revoked ? 1 : 0})
        .bind(7, static_cast<int64_t>(ind.tlp))
        .bind(8, int64_t{ind.confidence})
        .bind(9, ind.source)
        .bind(10, ind.pattern_type)
        .bind(11, ind.pattern)
        .bind(12, ind.name)
        .bind(13, ind.created_by_ref);
    Status stored = insert_version_.run();
    if (stored) stored = insert_current_.run();
    if (!stored) return stored.error();
    if (!known) ++count_;
    return known ? PutOutcome::Updated : PutOutcome::Added;
}

// The first failure ends it: put rolls the whole transaction back, counts included.
Status IndicatorStore::evict(size_t excess, int64_t now_us, std::vector<std::string>& evicted) {
    // Revoked and expired first (they match nothing), then the least recently added.
    auto pick = db_.prepare(
        "SELECT id FROM indicators ORDER BY (revoked = 1 OR (valid_until IS NOT NULL AND "
        "valid_until <= ?1)) DESC, added ASC LIMIT ?2");
    auto drop = db_.prepare("DELETE FROM indicators WHERE id = ?1");
    auto drop_versions = db_.prepare("DELETE FROM indicator_versions WHERE id = ?1");
    for (const auto* prepared : {&pick, &drop, &drop_versions})
        if (!*prepared) return prepared->error();
    pick->bind(1, now_us).bind(2, static_cast<int64_t>(excess));
    Result<bool> row = false;
    while ((row = pick->step()) && *row) evicted.push_back(pick->text(0));
    if (!row) return row.error();
    for (const auto& id : evicted) {
        for (sqlite::Statement* s : {&*drop, &*drop_versions}) {
            s->reset();
            if (auto dropped = s->bind(1, id).run(); !dropped) return dropped.error();
        }
    }
    count_ -= evicted.size();
    evictions_ += evicted.size();
    return {};
}

Result<PutResult> IndicatorStore::put(std::span<const stix::Indicator> indicators, int64_t now_us) {
    std::lock_guard lock(mutex_);
    PutResult result;
    const size_t count_before = count_;
    const uint64_t evictions_before = evictions_;
    auto transaction = sqlite::Transaction::begin(db_);
    if (!transaction) return transaction.error();
    // On a failure the transaction is rolled back (by commit, or by its guard) and the
    // counts with it.
    auto failed = [&](const Error& e) -> Result<PutResult> {
        count_ = count_before;
        evictions_ = evictions_before;
        return e;
    };
    result.outcomes.reserve(indicators.size());
    for (const auto& ind : indicators) {
        auto outcome = put_one(ind, now_us);
        if (!outcome) return failed(outcome.error());
        result.outcomes.push_back(*outcome);
    }
    if (count_ > max_) {
        if (auto evicted = evict(count_ - max_, now_us, result.evicted); !evicted)
            return failed(evicted.error());
    }
    if (auto committed = transaction->commit(); !committed) return failed(committed.error());
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
            auto s = db_.prepare(
                "SELECT rowid, id, modified, valid_from, valid_until, revoked, tlp, confidence, "
                "source, pattern_type, pattern, name, created_by_ref FROM indicators "
                "WHERE rowid > ?1 ORDER BY rowid LIMIT ?2");
            if (!s) return;
            s->bind(1, after).bind(2, kPage);
            while (has_row(*s)) {
                after = s->integer(0);
                page.push_back(read_current(*s));
            }
        }
        for (const auto& ind : page) visit(ind);
    } while (static_cast<int64_t>(page.size()) == kPage);
}

std::vector<std::string> IndicatorStore::versions(const std::string& id) const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    auto s = db_.prepare("SELECT json FROM indicator_versions WHERE id = ?1 ORDER BY modified");
    if (!s) return out;
    s->bind(1, id);
    while (has_row(*s)) out.push_back(s->text(0));
    return out;
}

void IndicatorStore::for_each_json(
    int64_t after_us,
    const std::function<void(const std::string&, const std::string&, stix::Tlp)>& visit) const {
    std::lock_guard lock(mutex_);
    auto s = db_.prepare(
        "SELECT i.id, v.json, i.tlp FROM indicators i JOIN indicator_versions v "
        "ON v.id = i.id AND v.modified = i.modified WHERE i.added > ?1 ORDER BY i.added");
    if (!s) return;
    s->bind(1, after_us);
    while (has_row(*s)) visit(s->text(0), s->text(1), static_cast<stix::Tlp>(s->integer(2)));
}

std::optional<IndicatorOrigin> IndicatorStore::origin(const std::string& id) const {
    std::lock_guard lock(mutex_);
    auto s = db_.prepare("SELECT source, tlp FROM indicators WHERE id = ?1");
    if (!s || !has_row(s->bind(1, id))) return std::nullopt;
    return IndicatorOrigin{s->text(0), static_cast<stix::Tlp>(s->integer(1))};
}

SightingTotal IndicatorStore::add_sighting(const std::string& id, int64_t first_ms, int64_t last_ms,
                                           uint64_t count) {
    std::lock_guard lock(mutex_);
    SightingTotal total{first_ms, last_ms, count};
    auto up = db_.prepare(
        "INSERT INTO sightings VALUES (?1, ?2, ?3, ?4) ON CONFLICT(indicator_id) DO UPDATE SET "
        "first_seen = min(first_seen, ?2), last_seen = max(last_seen, ?3), count = count + ?4 "
        "RETURNING first_seen, last_seen, count");
    if (!up) return total;
    up->bind(1, id).bind(2, first_ms).bind(3, last_ms).bind(4, static_cast<int64_t>(count));
    if (has_row(*up))
        total = {up->integer(0), up->integer(1), static_cast<uint64_t>(up->integer(2))};
    return total;
}

size_t IndicatorStore::count() const {
    std::lock_guard lock(mutex_);
    return count_;
}

std::optional<std::string> IndicatorStore::state(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto s = db_.prepare("SELECT value FROM state WHERE key = ?1");
    if (!s || !has_row(s->bind(1, key))) return std::nullopt;
    return s->text(0);
}

Status IndicatorStore::set_state(const std::string& key, const std::string& value) {
    std::lock_guard lock(mutex_);
    auto s = db_.prepare("INSERT OR REPLACE INTO state VALUES (?1, ?2)");
    if (!s) return s.error();
    return s->bind(1, key).bind(2, value).run();
}

}  // namespace vigie
