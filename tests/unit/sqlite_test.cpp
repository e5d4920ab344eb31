// SPDX-License-Identifier: EUPL-1.2
// core/sqlite.hpp: failures come back as values with SQLite's message (a bad statement, a
// failed bind, a constraint), a transaction not committed is rolled back, a statement
// prepared once is used again after reset().
#include "core/sqlite.hpp"

#include <doctest/doctest.h>

using namespace vigie;

namespace {

sqlite::Database memory_db() {
    auto db = sqlite::Database::open(":memory:");
    REQUIRE_MESSAGE(db, (db ? "" : db.error().message));
    REQUIRE(db->exec("CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER)"));
    return std::move(*db);
}

int64_t rows(sqlite::Database& db) {
    auto count = db.prepare("SELECT count(*) FROM t");
    REQUIRE(count);
    auto row = count->step();
    REQUIRE(row);
    REQUIRE(*row);
    return count->integer(0);
}

}  // namespace

TEST_CASE("sqlite: binds, steps and column reads, NULL as nullopt") {
    auto db = memory_db();
    auto insert = db.prepare("INSERT INTO t VALUES (?1, ?2)");
    REQUIRE(insert);
    CHECK(insert->bind(1, std::string_view("a")).bind(2, int64_t{7}).run());
    insert->reset();
    CHECK(insert->bind(1, std::string_view("b")).bind_null(2).run());
    CHECK(db.changes() == 1);

    auto select = db.prepare("SELECT k, n FROM t ORDER BY k");
    REQUIRE(select);
    auto row = select->step();
    REQUIRE((row && *row));
    CHECK(select->text(0) == "a");
    CHECK(select->optional_integer(1) == 7);
    row = select->step();
    REQUIRE((row && *row));
    CHECK(select->text(0) == "b");
    CHECK_FALSE(select->optional_integer(1).has_value());
    row = select->step();
    REQUIRE(row);
    CHECK_FALSE(*row);
}

TEST_CASE("sqlite: errors are values carrying SQLite's message") {
    auto db = memory_db();
    auto bad = db.prepare("SELEC nothing");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message.find("syntax error") != std::string::npos);

    auto insert = db.prepare("INSERT INTO t VALUES (?1, ?2)");
    REQUIRE(insert);
    REQUIRE(insert->bind_all({std::string("a"), int64_t{1}}).run());
    insert->reset();
    auto duplicate = insert->bind_all({std::string("a"), int64_t{2}}).run();
    REQUIRE_FALSE(duplicate);
    CHECK(duplicate.error().message.find("UNIQUE constraint failed") != std::string::npos);

    // A parameter that is not there: the bind's failure is the step's.
    insert->reset();
    auto out_of_range = insert->bind(3, int64_t{1}).step();
    REQUIRE_FALSE(out_of_range);
    CHECK(out_of_range.error().message == "column index out of range");

    auto schema = db.exec("CREATE TABLE t (x)");
    REQUIRE_FALSE(schema);
    CHECK(schema.error().message == "table t already exists");
}

TEST_CASE("sqlite: a transaction not committed is rolled back") {
    auto db = memory_db();
    {
        auto transaction = sqlite::Transaction::begin(db);
        REQUIRE(transaction);
        REQUIRE(db.exec("INSERT INTO t VALUES ('a', 1)"));
    }
    CHECK(rows(db) == 0);
    {
        auto transaction = sqlite::Transaction::begin(db);
        REQUIRE(transaction);
        REQUIRE(db.exec("INSERT INTO t VALUES ('a', 1)"));
        CHECK(transaction->commit());
        CHECK_FALSE(transaction->commit());  // once only
    }
    CHECK(rows(db) == 1);
}

TEST_CASE("sqlite: a file that cannot be opened says why") {
    auto db = sqlite::Database::open("/nonexistent-vigie-dir/x.sqlite");
    REQUIRE_FALSE(db);
    CHECK(db.error().message == "unable to open database file");
}
