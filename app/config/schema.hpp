// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The one schema-driven reader of the `vigie serve` configuration. Each section is a
// Schema<S>: a table of keys, one row a setting (its key, its type and bounds or allowed
// values, an optional check, and where in the settings type S it is stored), plus a check
// of the whole section once its keys are read. The default of a setting is the one its
// settings type declares: the reader writes into a default-constructed S, so a key left
// out keeps it. One SchemaReader applies a table to a YAML mapping: it records each key's
// place (ConfigPlaces), refuses a key given twice, an unknown key (naming the known ones)
// and a value of the wrong type, each at its file:line:col. `vigie config check`, start-up
// and reload all read the file through ConfigReader, and so through these tables.
//
// A row is built by one of the functions of `keys` below, e.g.
//     keys::number("max_connections", &HttpSettings::max_connections, 1, 1000000)
// where the field is a member pointer or a function returning the field of an S. A row
// wrapped in keys::live(...) is one a reload applies while vigie serve runs
// (SchemaShape::applies_live, app/config/setting_classes.hpp); every other is applied by a
// restart.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/config_places.hpp"
#include "core/diagnostic.hpp"
#include "core/listen_address.hpp"

namespace YAML {
class Node;
}

namespace vigie {

// One reading of one file: where its errors and its keys' places go, and the names each
// list has already used (ids, paths, credentials that must be unique across a list).
class SchemaReader {
  public:
    SchemaReader(std::string origin, Diagnostics& diags, ConfigPlaces* places)
        : origin_(std::move(origin)), diags_(diags), places_(places) {}

    void error(const YAML::Node& at, std::string message);
    void error_in_file(std::string message);  // a problem of no one key: at the file
    [[nodiscard]] size_t errors() const { return errors_; }
    [[nodiscard]] const std::string& origin() const { return origin_; }

    // Calls visit(i, value, key path) for each key of `map` that is names[i]; a null map
    // is the defaults, anything but a mapping, a key given twice or not in `names` is an
    // error.
    using Visit = std::function<void(size_t, const YAML::Node&, const std::string&)>;
    void each_key(const YAML::Node& map, const std::string& path,
                  const std::vector<std::string_view>& names, const Visit& visit);
    // Calls item(element, "path[i]") for each element of a list; false (and an error "PATH
    // must be " + expected) when `list` is not one. A null list is an empty one when
    // null_is_empty; an empty list an error when refuse_empty.
    struct ListRules {
        const char* expected = "a list";
        bool null_is_empty = false;
        bool refuse_empty = false;
    };
    using Item = std::function<void(const YAML::Node&, const std::string&)>;
    bool each_item(const YAML::Node& list, const std::string& path, const ListRules& rules,
                   const Item& item);

    // The value when it is a scalar (a string, a number, true...).
    static std::optional<std::string> scalar(const YAML::Node& n);
    static bool is_null(const YAML::Node& n);
    // The values, each read whole or refused with an error naming what it must be.
    std::optional<std::string> text(const YAML::Node& n, const std::string& path);  // null: ""
    std::optional<bool> flag(const YAML::Node& n, const std::string& path);
    // Base 10 always: yaml-cpp would read 010 as octal 8.
    std::optional<uint64_t> number(const YAML::Node& n, const std::string& path, uint64_t min,
                                   uint64_t max);
    std::optional<double> rate(const YAML::Node& n, const std::string& path, double min,
                               const char* expected);
    std::optional<ListenAddress> listen(const YAML::Node& n, const std::string& path);
    // One path, or a list of them; [] is refused unless allow_empty.
    std::optional<std::vector<std::string>> texts(const YAML::Node& n, const std::string& path,
                                                  bool allow_empty);
    // The index of the value in `allowed`.
    std::optional<size_t> choice(const YAML::Node& n, const std::string& path,
                                 const std::vector<std::string>& allowed);
    // A SHA-256 in hex, lower-cased; `expected` says how to make one.
    std::optional<std::string> digest(const YAML::Node& n, const std::string& path,
                                      const char* expected);

    // False when `name` was already claimed in `group` during this reading.
    bool claim(const std::string& group, const std::string& name) {
        return claimed_[group].insert(name).second;
    }
    [[nodiscard]] bool claimed(const std::string& group, const std::string& name) const {
        auto it = claimed_.find(group);
        return it != claimed_.end() && it->second.count(name) > 0;
    }

  private:
    std::string origin_;
    Diagnostics& diags_;
    ConfigPlaces* places_;
    size_t errors_ = 0;
    std::map<std::string, std::set<std::string>> claimed_;
};

// What a table says of its keys, whatever its settings type: their names, and which ones
// a reload applies while vigie serve runs (app/config/setting_classes.hpp). A live key is
// live with everything under it; the others are applied by a restart.
class SchemaShape {
  public:
    [[nodiscard]] const std::vector<std::string_view>& names() const { return names_; }
    // Whether a reload applies the setting at `key`, a key path below this table
    // ("tls.certificate", "outputs[2].min_level"); false for a key it does not have.
    [[nodiscard]] bool applies_live(std::string_view key) const;

  protected:
    struct Entry {
        bool live = false;
        bool list = false;                   // its value is a list of items of `shape`
        const SchemaShape* shape = nullptr;  // a section's (or its items') table
    };
    void add(std::string_view name, Entry entry) {
        names_.push_back(name);
        entries_.push_back(entry);
    }

  private:
    std::vector<std::string_view> names_;
    std::vector<Entry> entries_;
};

// A row as the functions of `keys` build it, for a section of any type: it becomes the
// KeySpec of the table it is written in.
template <class Read>
struct Row {
    std::string_view key;
    Read read;  // (SchemaReader&, const YAML::Node& value, const std::string& path, S&)
    bool live = false;
    bool list = false;
    const SchemaShape* shape = nullptr;
};
template <class Read>
Row<Read> make_row(std::string_view key, Read read) {
    return {key, std::move(read)};
}

// One row of a section's table: a key and how its value is read into an S.
template <class S>
struct KeySpec {
    template <class Read>
    KeySpec(Row<Read> row)  // NOLINT(google-explicit-constructor): rows are written in a table
        : key(row.key),
          read(std::move(row.read)),
          live(row.live),
          list(row.list),
          shape(row.shape) {}

    std::string_view key;
    std::function<void(SchemaReader&, const YAML::Node&, const std::string& path, S&)> read;
    bool live;
    bool list;
    const SchemaShape* shape;
};

// A section: its keys, and a check of the section as a whole once they are read (pairs
// that go together, uniqueness), run whether or not its keys were valid.
template <class S>
class Schema : public SchemaShape {
  public:
    using Check = std::function<void(SchemaReader&, const YAML::Node&, const std::string&, S&)>;

    Schema(std::vector<KeySpec<S>> keys, Check after = {})
        : keys_(std::move(keys)), after_(std::move(after)) {
        for (const auto& k : keys_) add(k.key, {k.live, k.list, k.shape});
    }

    void read(SchemaReader& r, const YAML::Node& map, const std::string& path, S& into) const {
        r.each_key(map, path, names(), [&](size_t i, const YAML::Node& v, const std::string& p) {
            keys_[i].read(r, v, p, into);
        });
        if (after_) after_(r, map, path, into);
    }

  private:
    std::vector<KeySpec<S>> keys_;
    Check after_;
};

namespace keys {

// The field of an S a row stores into: `&S::member`, or a function S& -> T&.
template <class S, class Field>
decltype(auto) field_of(const Field& f, S& s) {
    return std::invoke(f, s);
}

// A string check: true when the value (which it may normalise) is valid; else the error
// is "PATH must be " + expected.
struct TextCheck {
    const char* expected = nullptr;
    bool (*valid)(std::string&) = nullptr;
};

// What a null value ("key:" with nothing after it) means for a string: empty, or the
// default left as it is.
enum class NullText : uint8_t { Empty, KeepsDefault };

template <class Field>
auto text(std::string_view key, Field field, TextCheck check = {},
          NullText null = NullText::Empty) {
    return make_row(key, [field, check, null](SchemaReader& r, const YAML::Node& v,
                                              const std::string& p, auto& s) {
        std::string& out = field_of(field, s);
        const bool keep = null == NullText::KeepsDefault && SchemaReader::is_null(v);
        if (auto t = keep ? std::nullopt : r.text(v, p)) out = std::move(*t);
        if (check.valid != nullptr && !check.valid(out))
            r.error(v, p + " must be " + check.expected);
    });
}

template <class Field>
auto flag(std::string_view key, Field field) {
    return make_row(key,
                    [field](SchemaReader& r, const YAML::Node& v, const std::string& p, auto& s) {
                        if (auto b = r.flag(v, p)) field_of(field, s) = *b;
                    });
}

template <class Field>
auto number(std::string_view key, Field field, uint64_t min, uint64_t max) {
    return make_row(key, [field, min, max](SchemaReader& r, const YAML::Node& v,
                                           const std::string& p, auto& s) {
        auto& out = field_of(field, s);
        if (auto n = r.number(v, p, min, max))
            out = static_cast<std::remove_reference_t<decltype(out)>>(*n);
    });
}

template <class Field>
auto rate(std::string_view key, Field field, double min, const char* expected) {
    return make_row(key, [=](SchemaReader& r, const YAML::Node& v, const std::string& p, auto& s) {
        if (auto d = r.rate(v, p, min, expected)) field_of(field, s) = *d;
    });
}

template <class Field>
auto listen(std::string_view key, Field field) {
    return make_row(key,
                    [field](SchemaReader& r, const YAML::Node& v, const std::string& p, auto& s) {
                        if (auto a = r.listen(v, p)) field_of(field, s) = std::move(*a);
                    });
}

// Paths: one, or a non-empty list; with allow_empty, [] (none) too.
template <class Field>
auto texts(std::string_view key, Field field, bool allow_empty) {
    return make_row(key, [field, allow_empty](SchemaReader& r, const YAML::Node& v,
                                              const std::string& p, auto& s) {
        if (auto list = r.texts(v, p, allow_empty)) field_of(field, s) = std::move(*list);
    });
}

// One of the named values; the field takes the value paired with the name.
template <class Field, class T>
auto choice(std::string_view key, Field field, std::vector<std::pair<std::string, T>> allowed) {
    std::vector<std::string> names;
    names.reserve(allowed.size());
    for (const auto& a : allowed) names.push_back(a.first);
    return make_row(key, [field, names, allowed](SchemaReader& r, const YAML::Node& v,
                                                 const std::string& p, auto& s) {
        if (auto i = r.choice(v, p, names)) field_of(field, s) = allowed[*i].second;
    });
}

// One of the named values, kept as the name.
template <class Field>
auto choice(std::string_view key, Field field, const std::vector<std::string>& allowed) {
    std::vector<std::pair<std::string, std::string>> pairs;
    pairs.reserve(allowed.size());
    for (const auto& a : allowed) pairs.emplace_back(a, a);
    return choice(key, field, std::move(pairs));
}

template <class Field>
auto digest(std::string_view key, Field field, const char* expected) {
    return make_row(key, [=](SchemaReader& r, const YAML::Node& v, const std::string& p, auto& s) {
        if (auto d = r.digest(v, p, expected)) field_of(field, s) = std::move(*d);
    });
}

// A value a parse function reads (a level, a TLP); nullopt is "PATH must be " + expected.
template <class Field, class T>
auto parsed(std::string_view key, Field field, std::optional<T> (*parse)(std::string_view),
            const char* expected) {
    return make_row(key, [=](SchemaReader& r, const YAML::Node& v, const std::string& p, auto& s) {
        const auto t = SchemaReader::scalar(v);
        const std::optional<T> value = t ? parse(*t) : std::nullopt;
        if (value) {
            field_of(field, s) = *value;
        } else {
            r.error(v, p + " must be " + expected);
        }
    });
}

// A section within the section, read with its own table.
template <class Field, class Sub>
auto section(std::string_view key, Field field, const Schema<Sub>& schema) {
    auto row =
        make_row(key, [field, &schema](SchemaReader& r, const YAML::Node& v, const std::string& p,
                                       auto& s) { schema.read(r, v, p, field_of(field, s)); });
    row.shape = &schema;
    return row;
}

// A list of sections: each item is read with `item` and appended to the field.
template <class Field, class T>
auto list(std::string_view key, Field field, SchemaReader::ListRules rules, const Schema<T>& item) {
    auto row = make_row(key, [field, rules, &item](SchemaReader& r, const YAML::Node& v,
                                                   const std::string& p, auto& s) {
        auto& out = field_of(field, s);
        r.each_item(v, p, rules, [&](const YAML::Node& element, const std::string& q) {
            T value;
            item.read(r, element, q, value);
            out.push_back(std::move(value));
        });
    });
    row.list = true;
    row.shape = &item;
    return row;
}

// A key read by a function of its own: (SchemaReader&, value, path, S&).
template <class Read>
auto custom(std::string_view key, Read read) {
    return make_row(key, std::move(read));
}

// A row that a reload applies while vigie serve runs (with everything under it).
template <class Read>
Row<Read> live(Row<Read> row) {
    row.live = true;
    return row;
}

// A row read by a function of its own whose value is a list of items like `shape`'s:
// what is live in an item is known from `shape`.
template <class Read>
Row<Read> items_like(Row<Read> row, const SchemaShape& shape) {
    row.list = true;
    row.shape = &shape;
    return row;
}

// A key read before the table is (its place is still recorded here).
inline auto read_before(std::string_view key) {
    return make_row(key, [](SchemaReader&, const YAML::Node&, const std::string&, auto&) {});
}

}  // namespace keys

}  // namespace vigie
