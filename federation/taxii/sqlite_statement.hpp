#pragma once
// The little of SQLite's C API the collection store uses, with ownership: a connection and
// prepared statements that finalize themselves, values bound by position.
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vigie::taxii {

using SqlValue = std::variant<int64_t, std::string>;

class SqlStatement {
  public:
    SqlStatement(sqlite3* db, std::string_view sql) {
        if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
            SQLITE_OK)
            stmt_ = nullptr;
    }
    SqlStatement(const SqlStatement&) = delete;
    SqlStatement& operator=(const SqlStatement&) = delete;
    ~SqlStatement() { sqlite3_finalize(stmt_); }

    [[nodiscard]] bool ok() const { return stmt_ != nullptr; }
    // Binds values to ?1, ?2, ... in order.
    void bind_all(const std::vector<SqlValue>& values) {
        int index = 1;
        for (const auto& v : values) bind(index++, v);
    }
    void bind(int index, const SqlValue& value) {
        if (const auto* n = std::get_if<int64_t>(&value)) {
            sqlite3_bind_int64(stmt_, index, *n);
        } else {
            const auto& s = std::get<std::string>(value);
            sqlite3_bind_text(stmt_, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
        }
    }
    // SQLITE_ROW, SQLITE_DONE or an error code.
    int step() { return sqlite3_step(stmt_); }
    int64_t integer(int column) { return sqlite3_column_int64(stmt_, column); }
    std::string text(int column) {
        const auto* p = sqlite3_column_text(stmt_, column);
        return p == nullptr ? std::string()
                            : std::string(reinterpret_cast<const char*>(p),
                                          static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
    }

  private:
    sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace vigie::taxii
