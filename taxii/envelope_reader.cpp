#include "taxii/envelope_reader.hpp"

#include <simdjson.h>

namespace vigie::taxii {

EnvelopeContents read_envelope(std::string_view json, stix::Tlp default_tlp) {
    EnvelopeContents out;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
        out.error = EnvelopeError::NotJson;
        out.message = "the body is not JSON";
        return out;
    }
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
