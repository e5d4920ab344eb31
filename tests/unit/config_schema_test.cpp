// SPDX-License-Identifier: EUPL-1.2
// The schema-driven reader every section of the serve configuration is read with
// (app/config/schema.hpp), on a small table of its own: what a table does by itself,
// whatever section it describes.
#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <functional>
#include <string>
#include <vector>

#include "app/config/schema.hpp"

using namespace vigie;

namespace {

enum class Colour { Red, Blue };

struct Inner {
    std::string name = "inner";
    bool on = false;
};

struct Probe {
    uint32_t count = 7;
    std::string label = "default";
    std::string title = "kept";
    Colour colour = Colour::Red;
    Inner inner;
    std::vector<Inner> items;
    int checks = 0;  // how many times the section's check ran
};

const Schema<Probe>& probe_schema() {
    using namespace keys;
    static const Schema<Inner> inner{{text("name", &Inner::name), live(flag("on", &Inner::on))}};
    static const Schema<Probe> schema{
        {
            live(number("count", &Probe::count, 1, 10)),
            text("label", &Probe::label, {"not empty", [](std::string& s) { return !s.empty(); }}),
            text("title", &Probe::title, {}, NullText::KeepsDefault),
            choice("colour", &Probe::colour,
                   std::vector<std::pair<std::string, Colour>>{{"red", Colour::Red},
                                                               {"blue", Colour::Blue}}),
            section("inner", &Probe::inner, inner),
            list("items", &Probe::items, {}, inner),
        },
        [](SchemaReader&, const YAML::Node&, const std::string&, Probe& p) { ++p.checks; }};
    return schema;
}

struct Reading {
    Probe probe;
    ConfigPlaces places;
    std::string errors;  // formatted, one a line
};

Reading read(const std::string& yaml) {
    Reading out;
    Diagnostics diags;
    SchemaReader reader("t.yaml", diags, &out.places);
    probe_schema().read(reader, YAML::Load(yaml), "probe", out.probe);
    for (const auto& d : diags) out.errors += d.format() + "\n";
    CHECK(reader.errors() == diags.size());
    return out;
}

}  // namespace

TEST_CASE("schema: a key left out keeps the settings type's default") {
    const Reading r = read("{}");
    CHECK(r.errors.empty());
    CHECK(r.probe.count == 7);
    CHECK(r.probe.label == "default");
    CHECK(r.probe.inner.name == "inner");
    CHECK(r.probe.checks == 1);
    CHECK(read("").probe.checks == 1);  // null: the defaults, and the check still runs
}

TEST_CASE("schema: values are stored where the table says, places recorded") {
    const Reading r =
        read("count: 3\nlabel: x\ncolour: blue\ninner: {name: n, on: true}\nitems: [{name: a}]\n");
    CHECK(r.errors.empty());
    CHECK(r.probe.count == 3);
    CHECK(r.probe.label == "x");
    CHECK(r.probe.colour == Colour::Blue);
    CHECK(r.probe.inner.name == "n");
    CHECK(r.probe.inner.on);
    REQUIRE(r.probe.items.size() == 1);
    CHECK(r.probe.items[0].name == "a");
    CHECK(r.places.of("probe.count").line == 1);
    CHECK(r.places.of("probe.inner.on").line == 4);
    CHECK(r.places.of("probe.items[0].name").line == 5);
}

TEST_CASE("schema: unknown, repeated and ill-typed keys are errors at their place") {
    CHECK(read("cuont: 1\n").errors ==
          "t.yaml:1:1: unknown setting probe.cuont (known here: count, label, title, colour, "
          "inner, items)\n");
    CHECK(read("count: 1\ncount: 2\n").errors ==
          "t.yaml:2:1: setting probe.count is given twice\n");
    CHECK(read("count: 11\n").errors ==
          "t.yaml:1:8: probe.count must be a whole number from 1 to 10\n");
    CHECK(read("colour: green\n").errors == "t.yaml:1:9: probe.colour must be one of: red, blue\n");
    CHECK(read("inner: {on: 1}\n").errors == "t.yaml:1:13: probe.inner.on must be true or false\n");
    CHECK(read("inner: 3\n").errors == "t.yaml:1:8: probe.inner must be a mapping of settings\n");
    CHECK(read("items: 3\n").errors == "t.yaml:1:8: probe.items must be a list\n");
    CHECK(read("items: [{x: 1}]\n").errors ==
          "t.yaml:1:10: unknown setting probe.items[0].x (known here: name, on)\n");
}

TEST_CASE("schema: a string's check, and what a null string means") {
    CHECK(read("label: ''\n").errors == "t.yaml:1:8: probe.label must be not empty\n");
    CHECK(read("label: ~\n").errors == "t.yaml:1:8: probe.label must be not empty\n");  // null: ""
    CHECK(read("title:\n").probe.title == "kept");  // its default
    CHECK(read("title: ''\n").probe.title.empty());
    CHECK(read("label: [a]\n").errors == "t.yaml:1:8: probe.label must be a string\n");
}

TEST_CASE("schema: a live row is live with all under it, in sections and list items") {
    const SchemaShape& shape = probe_schema();
    CHECK(shape.applies_live("count"));
    CHECK(shape.applies_live("inner.on"));
    CHECK(shape.applies_live("items[3].on"));
    CHECK_FALSE(shape.applies_live("label"));
    CHECK_FALSE(shape.applies_live("inner.name"));
    CHECK_FALSE(shape.applies_live("inner"));
    CHECK_FALSE(shape.applies_live("items[x].on"));  // an index is digits
    CHECK_FALSE(shape.applies_live("items.on"));     // a list's items have an index
    CHECK_FALSE(shape.applies_live("counts"));       // a prefix is not a parent
    CHECK_FALSE(shape.applies_live("nothing.on"));
}
