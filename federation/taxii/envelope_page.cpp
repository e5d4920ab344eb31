// SPDX-License-Identifier: EUPL-1.2
#include "federation/taxii/envelope_page.hpp"

#include <simdjson.h>

#include "federation/stix/json_depth.hpp"
#include "federation/stix/timestamp.hpp"

namespace vigie::taxii {

namespace {

// {"objects":[ ... ]}: the levels around each object, which the nesting limit (counted
// from each object) does not count.
constexpr uint32_t kEnvelopeLevels = 2;

void note_date_added(std::string_view text, EnvelopePage& page, int64_t& greatest) {
    const auto at = stix::parse_timestamp(text);
    if (at && *at > greatest) {
        greatest = *at;
        page.greatest_date_added = std::string(text);
    }
}

void note_date_added(simdjson::dom::element object, EnvelopePage& page, int64_t& greatest) {
    std::string_view text;
    if (object["date_added"].get_string().get(text) != simdjson::SUCCESS) return;
    note_date_added(text, page, greatest);
}

Error too_many(size_t objects, size_t max_objects) {
    return Error{"the page holds " + std::to_string(objects) + " objects, over the limit asked (" +
                 std::to_string(max_objects) + ")"};
}

// A page that nests deeper than the limit somewhere: its objects one by one. An object too
// deep is passed on as it came, for the sink's check (under the same limit) to refuse it
// with the page's place, so that the page's other objects are kept and the poll goes on.
// When no object is the one too deep, the envelope itself is: the page is refused.
Result<EnvelopePage> read_objects_one_by_one(std::string_view body, size_t max_objects) {
    EnvelopePage page;
    const size_t start = body.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos || body[start] != '{')
        return Error{"the page is not a TAXII envelope (not a JSON object)"};
    auto read = stix::object_spans(body);
    if (!read) return Error{"the page is not JSON (" + read.error().message + ")"};
    const std::vector<stix::ElementSpan>& spans = *read;
    if (spans.size() > max_objects) return too_many(spans.size(), max_objects);
    page.more = stix::top_level_bool(body, "more").value_or(false);
    page.next = stix::top_level_string(body, "next");
    simdjson::dom::parser parser;
    if (!stix::limit_json_depth(parser)) return Error{"out of memory"};
    bool too_deep = false;
    int64_t greatest = INT64_MIN;
    for (const stix::ElementSpan& span : spans) {
        const std::string_view text = body.substr(span.offset, span.size);
        simdjson::dom::element object;
        const auto code = parser.parse(text.data(), text.size()).get(object);
        if (code == simdjson::DEPTH_ERROR) {
            too_deep = true;
            page.objects.emplace_back(text);
            note_date_added(stix::top_level_string(text, "date_added"), page, greatest);
            continue;
        }
        if (code != simdjson::SUCCESS) return Error{"the page is not JSON"};
        page.objects.push_back(simdjson::minify(object));
        if (object.is_object()) note_date_added(object, page, greatest);
    }
    if (!too_deep) {
        const stix::NestingError nesting = stix::nesting_error(body, kEnvelopeLevels);
        const stix::TextPosition at = stix::TextLocator(body).at(nesting.offset.value_or(0));
        return Error{"the page is " + nesting.message + " at line " + std::to_string(at.line) +
                     ", column " + std::to_string(at.column)};
    }
    return page;
}

}  // namespace

Result<EnvelopePage> read_envelope_page(std::string_view body, size_t max_objects) {
    EnvelopePage page;
    simdjson::dom::parser parser;
    if (!stix::limit_json_depth(parser, kEnvelopeLevels)) return Error{"out of memory"};
    simdjson::dom::element root;
    const auto code = parser.parse(body.data(), body.size()).get(root);
    if (code == simdjson::DEPTH_ERROR) return read_objects_one_by_one(body, max_objects);
    if (code != simdjson::SUCCESS) return Error{"the page is not JSON"};
    simdjson::dom::object envelope;
    if (root.get_object().get(envelope) != simdjson::SUCCESS)
        return Error{"the page is not a TAXII envelope (not a JSON object)"};
    bool more = false;
    if (envelope["more"].get_bool().get(more) == simdjson::SUCCESS) page.more = more;
    std::string_view next;
    if (envelope["next"].get_string().get(next) == simdjson::SUCCESS) page.next = next;
    simdjson::dom::element objects_value;
    if (envelope["objects"].get(objects_value) != simdjson::SUCCESS) return page;  // empty page
    simdjson::dom::array objects;
    if (objects_value.get_array().get(objects) != simdjson::SUCCESS)
        return Error{"the envelope's objects is not a list"};
    if (objects.size() > max_objects) return too_many(objects.size(), max_objects);
    int64_t greatest = INT64_MIN;
    page.objects.reserve(objects.size());
    for (simdjson::dom::element object : objects) {
        page.objects.push_back(simdjson::minify(object));
        if (object.is_object()) note_date_added(object, page, greatest);
    }
    return page;
}

}  // namespace vigie::taxii
