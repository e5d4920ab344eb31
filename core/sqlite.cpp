// SPDX-License-Identifier: EUPL-1.2
#include "core/sqlite.hpp"

#include <sqlite3.h>

#include <utility>

namespace vigie::sqlite {

namespace {

Error message_of(sqlite3* db, int rc) {
    return Error{db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)};
}

}  // namespace

// --- Statement

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), bind_error_(other.bind_error_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(stmt_);
        db_ = other.db_;
        stmt_ = std::exchange(other.stmt_, nullptr);
        bind_error_ = other.bind_error_;
    }
    return *this;
}

Statement::~Statement() {
    sqlite3_finalize(stmt_);
}

void Statement::note_bind(int rc) {
    if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
}

Error Statement::failure(int rc) const {
    // A bind's failure is not the connection's last error any more: its code says it.
    if (bind_error_ != 0) return Error{sqlite3_errstr(bind_error_)};
    return message_of(db_, rc);
}

Statement& Statement::bind(int index, int64_t value) {
    note_bind(sqlite3_bind_int64(stmt_, index, value));
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    note_bind(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                  SQLITE_UTF8));
    return *this;
}

Statement& Statement::bind_value(int index, const Value& value) {
    if (const auto* n = std::get_if<int64_t>(&value)) return bind(index, *n);
    return bind(index, std::string_view(std::get<std::string>(value)));
}

Statement& Statement::bind_null(int index) {
    note_bind(sqlite3_bind_null(stmt_, index));
    return *this;
}

Statement& Statement::bind_all(const std::vector<Value>& values) {
    int index = 1;
    for (const auto& v : values) bind_value(index++, v);
    return *this;
}

Result<bool> Statement::step() {
    if (bind_error_ != 0) return failure(bind_error_);
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return failure(rc);
}

Status Statement::run() {
    auto row = step();
    if (!row) return row.error();
    if (*row) return Error{"the statement returned a row"};
    return {};
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    bind_error_ = 0;
}

int64_t Statement::integer(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

std::optional<int64_t> Statement::optional_integer(int column) const {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int64(stmt_, column);
}

std::string Statement::text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    if (p == nullptr) return {};
    return {p, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

// --- Database

Result<Database> Database::open(const std::string& path, const OpenOptions& options) {
    sqlite3* db = nullptr;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (options.full_mutex) flags |= SQLITE_OPEN_FULLMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        // No handle at all only when SQLite could not allocate one.
        Error error{db != nullptr ? sqlite3_errmsg(db) : "out of memory"};
        sqlite3_close(db);
        return error;
    }
    sqlite3_busy_timeout(db, options.busy_timeout_ms);
    return Database(db);
}

Database::Database(Database&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Database& Database::operator=(Database&& other) noexcept {
    if (this != &other) {
        sqlite3_close_v2(db_);
        db_ = std::exchange(other.db_, nullptr);
    }
    return *this;
}

Database::~Database() {
    // close_v2: a statement still alive keeps the connection until it is finalized,
    // instead of the close failing with SQLITE_BUSY and leaking it.
    sqlite3_close_v2(db_);
}

Status Database::exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) == SQLITE_OK) return {};
    Error error{message != nullptr ? message : sqlite3_errmsg(db_)};
    sqlite3_free(message);
    return error;
}

Result<Statement> Database::prepare(std::string_view sql, bool persistent) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      persistent ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
    if (rc != SQLITE_OK) return message_of(db_, rc);
    if (stmt == nullptr) return Error{"no SQL statement"};  // only blanks or a comment
    return Statement(db_, stmt);
}

int64_t Database::changes() const {
    return sqlite3_changes64(db_);
}

// --- Transaction

Result<Transaction> Transaction::begin(Database& db) {
    if (auto begun = db.exec("BEGIN IMMEDIATE"); !begun) return begun.error();
    return Transaction(db);
}

Transaction::~Transaction() {
    if (db_ != nullptr) (void)db_->exec("ROLLBACK");
}

Status Transaction::commit() {
    Database* db = std::exchange(db_, nullptr);
    if (db == nullptr) return Error{"the transaction is over"};
    auto committed = db->exec("COMMIT");
    if (!committed) (void)db->exec("ROLLBACK");
    return committed;
}

}  // namespace vigie::sqlite
