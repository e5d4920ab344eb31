#include "taxii/envelope_page.hpp"

#include <simdjson.h>

#include "stix/timestamp.hpp"

namespace vigie::taxii {

namespace {

void note_date_added(simdjson::dom::element object, EnvelopePage& page, int64_t& greatest) {
    std::string_view text;
    if (object["date_added"].get_string().get(text) != simdjson::SUCCESS) return;
    const auto at = stix::parse_timestamp(text);
    if (at && *at > greatest) {
        greatest = *at;
        page.greatest_date_added = std::string(text);
    }
}

}  // namespace

EnvelopePage read_envelope_page(std::string_view body, size_t max_objects) {
    EnvelopePage page;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS)
        return (page.error = "the page is not JSON"), page;
    simdjson::dom::object envelope;
    if (root.get_object().get(envelope) != simdjson::SUCCESS)
        return (page.error = "the page is not a TAXII envelope (not a JSON object)"), page;
    bool more = false;
    if (envelope["more"].get_bool().get(more) == simdjson::SUCCESS) page.more = more;
    std::string_view next;
    if (envelope["next"].get_string().get(next) == simdjson::SUCCESS) page.next = next;
    simdjson::dom::element objects_value;
    if (envelope["objects"].get(objects_value) != simdjson::SUCCESS) return page;  // empty page
    simdjson::dom::array objects;
    if (objects_value.get_array().get(objects) != simdjson::SUCCESS)
        return (page.error = "the envelope's objects is not a list"), page;
    if (objects.size() > max_objects)
        return (page.error = "the page holds " + std::to_string(objects.size()) +
                             " objects, over the limit asked (" + std::to_string(max_objects) +
                             ")"),
               page;
    int64_t greatest = INT64_MIN;
    page.objects.reserve(objects.size());
    for (simdjson::dom::element object : objects) {
        page.objects.push_back(simdjson::minify(object));
        if (object.is_object()) note_date_added(object, page, greatest);
    }
    return page;
}

}  // namespace vigie::taxii
