// SPDX-License-Identifier: EUPL-1.2
#include "federation/taxii/envelope_reader.hpp"

#include <simdjson.h>

#include "federation/stix/json_depth.hpp"

namespace vigie::taxii {

namespace {

// {"objects":[ ... ]}: the levels around each object, which the nesting limit (counted
// from each object) does not count.
constexpr uint32_t kEnvelopeLevels = 2;

EnvelopeContents refused(EnvelopeError error, std::string message) {
    EnvelopeContents out;
    out.error = error;
    out.message = std::move(message);
    return out;
}

std::string where(stix::TextPosition at) {
    return "line " + std::to_string(at.line) + ", column " + std::to_string(at.column);
}

// One object of a body too deep to parse whole: parsed on its own, so that an object too
// deep is one failure of the POST ("objects[3]: nested deeper than 64 levels at line 1,
// column 4021 of the body") and the others are checked as usual.
CheckedObject check_span(std::string_view body, stix::ElementSpan span, size_t index,
                         simdjson::dom::parser& parser, stix::TextLocator& locator,
                         stix::Tlp default_tlp, bool& too_deep) {
    const std::string_view text = body.substr(span.offset, span.size);
    simdjson::dom::element element;
    const auto code = parser.parse(text.data(), text.size()).get(element);
    if (code == simdjson::SUCCESS) return check_stix_object(element, default_tlp);
    CheckedObject out;
    out.id = stix::top_level_string(text, "id");
    std::string why = "objects[" + std::to_string(index) + "]: ";
    if (code != simdjson::DEPTH_ERROR) {
        out.record = Error{why + "not JSON"};
        return out;
    }
    too_deep = true;
    const stix::NestingError nesting = stix::nesting_error(text);
    why += nesting.message + " at " + where(locator.at(span.offset + nesting.offset.value_or(0))) +
           " of the body";
    out.record = Error{std::move(why)};
    return out;
}

// A body that nests deeper than the limit somewhere: its objects one by one. When none of
// them is the one too deep, the envelope itself is, and the body is refused whole.
EnvelopeContents read_objects_one_by_one(std::string_view body, stix::Tlp default_tlp) {
    const size_t start = body.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos || body[start] != '{')
        return refused(EnvelopeError::NotEnvelope,
                       R"(the body is not an envelope: {"objects":[...]})");
    auto read = stix::object_spans(body);
    if (!read)
        return refused(EnvelopeError::NotJson,
                       "the body is not JSON (" + read.error().message + ")");
    const std::vector<stix::ElementSpan>& spans = *read;
    simdjson::dom::parser parser;
    if (!stix::limit_json_depth(parser))
        return refused(EnvelopeError::NotJson, "out of memory reading the body");
    stix::TextLocator locator(body);
    EnvelopeContents out;
    bool too_deep = false;
    for (size_t i = 0; i < spans.size(); ++i)
        out.objects.push_back(
            check_span(body, spans[i], i, parser, locator, default_tlp, too_deep));
    if (too_deep) return out;
    const stix::NestingError nesting = stix::nesting_error(body, kEnvelopeLevels);
    return refused(EnvelopeError::NotJson, "the body is " + nesting.message + " at " +
                                               where(locator.at(nesting.offset.value_or(0))));
}

}  // namespace

EnvelopeContents read_envelope(std::string_view json, stix::Tlp default_tlp) {
    simdjson::dom::parser parser;
    if (!stix::limit_json_depth(parser, kEnvelopeLevels))
        return refused(EnvelopeError::NotJson, "out of memory reading the body");
    simdjson::dom::element root;
    const auto code = parser.parse(json.data(), json.size()).get(root);
    if (code == simdjson::DEPTH_ERROR) return read_objects_one_by_one(json, default_tlp);
    if (code != simdjson::SUCCESS) return refused(EnvelopeError::NotJson, "the body is not JSON");
    EnvelopeContents out;
    simdjson::dom::object envelope;
    simdjson::dom::array objects;
    if (root.get_object().get(envelope) != simdjson::SUCCESS ||
        envelope["objects"].get_array().get(objects) != simdjson::SUCCESS) {
        out.error = EnvelopeError::NotEnvelope;
        out.message = R"(the body is not an envelope: {"objects":[...]})";
        return out;
    }
    for (simdjson::dom::element object : objects)
        out.objects.push_back(check_stix_object(object, default_tlp));
    return out;
}

}  // namespace vigie::taxii
