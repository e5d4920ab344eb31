// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The one SQLite wrapper of vigie (the indicator store, the TAXII collections): a database
// handle, prepared statements with typed binds and column reads, a transaction guard, each
// owning what it holds. Every failure is a value (Result/Status) carrying SQLite's own
// message, so that the store above can say which file failed and why. sqlite3.h stays in
// sqlite.cpp: the layers above see only this header.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace vigie::sqlite {

// A value bound to a statement's parameter, for statements built at run time.
using Value = std::variant<int64_t, std::string>;

struct OpenOptions {
    // SQLITE_OPEN_FULLMUTEX: the connection serialises its own calls.
    bool full_mutex = false;
    // How long a statement waits for another connection's lock before SQLITE_BUSY.
    int busy_timeout_ms = 5000;
};

class Statement {
  public:
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    ~Statement();

    // Parameters ?1, ?2 ... (index from 1). A failed bind (an index out of range, a text too
    // long) is reported by the next step() or run().
    Statement& bind(int index, int64_t value);
    Statement& bind(int index, std::string_view value);
    Statement& bind_value(int index, const Value& value);
    Statement& bind_null(int index);
    // ?1, ?2, ... in order.
    Statement& bind_all(const std::vector<Value>& values);

    // true: a row is there to read; false: the statement is done.
    Result<bool> step();
    // For a statement that returns no row (INSERT, DELETE ...): runs it to the end.
    Status run();
    // Back to before the first step, parameters cleared: a statement prepared once is
    // used again.
    void reset();

    // Columns of the current row, from 0.
    [[nodiscard]] int64_t integer(int column) const;
    [[nodiscard]] std::optional<int64_t> optional_integer(int column) const;  // NULL: nullopt
    [[nodiscard]] std::string text(int column) const;

  private:
    friend class Database;
    Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    void note_bind(int rc);
    Error failure(int rc) const;

    sqlite3* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
    int bind_error_ = 0;  // the first failed bind's code since the last reset
};

// Resets a statement prepared once and kept, whatever way the scope ends.
class ResetOnExit {
  public:
    explicit ResetOnExit(Statement& statement) : statement_(statement) {}
    ResetOnExit(const ResetOnExit&) = delete;
    ResetOnExit& operator=(const ResetOnExit&) = delete;
    ~ResetOnExit() { statement_.reset(); }

  private:
    Statement& statement_;
};

class Database {
  public:
    // Opens (creating if needed) the file, ":memory:" for a database in memory. The error
    // is SQLite's message, without the path: the caller says which file it is.
    static Result<Database> open(const std::string& path, const OpenOptions& options = {});
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    ~Database();

    // Runs one or more statements separated by ';' (a schema, a PRAGMA).
    Status exec(const char* sql);
    // `persistent`: the statement is kept for the connection's life and used many times.
    Result<Statement> prepare(std::string_view sql, bool persistent = false);
    // Rows changed by the last INSERT, UPDATE or DELETE.
    [[nodiscard]] int64_t changes() const;

  private:
    explicit Database(sqlite3* db) : db_(db) {}
    sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE (the write lock taken at once, so that a transaction never fails half
// way for a lock) ... commit(); rolled back when the scope ends without a commit.
class Transaction {
  public:
    static Result<Transaction> begin(Database& db);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
    Transaction& operator=(Transaction&&) = delete;
    ~Transaction();

    // On failure the transaction is rolled back.
    Status commit();

  private:
    explicit Transaction(Database& db) : db_(&db) {}
    Database* db_;  // nullptr once committed or rolled back
};

}  // namespace vigie::sqlite
