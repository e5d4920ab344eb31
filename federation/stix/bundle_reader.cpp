// SPDX-License-Identifier: EUPL-1.2
#include "federation/stix/bundle_reader.hpp"

#include <simdjson.h>

#include <algorithm>

#include "federation/stix/json_depth.hpp"
#include "federation/stix/object_checks.hpp"

namespace vigie::stix {
namespace {

namespace od = simdjson::ondemand;

// Diagnostics' places: file:line:col of offsets asked front to back (objects are read so).
class LineLocator {
  public:
    LineLocator(std::string_view text, std::string origin)
        : text_(text), origin_(std::move(origin)) {}
    SourceLocation at(size_t offset) {
        const TextPosition p = text_.at(offset);
        return {origin_, p.line, p.column};
    }

  private:
    TextLocator text_;
    std::string origin_;
};

class BundleWalker {
  public:
    BundleWalker(std::string_view text, const BundleOptions& options, BundleContent& out)
        : text_(text), options_(options), out_(out), locator_(text, options.origin) {}

    // Each object is parsed on its own, at most the nesting limit deep.
    bool ready() { return limit_json_depth(dom_); }

    void walk_array(od::array array) {
        for (auto element : array) {
            od::object object;
            std::string_view raw;
            if (element.get_object().get(object) || object.raw_json().get(raw)) {
                fail_document(element.current_location(),
                              "objects: an element that is not a JSON object, or malformed JSON");
                return;
            }
            if (++out_.objects > options_.limits.max_objects) {
                fail_at(raw, "",
                        "more than " + std::to_string(options_.limits.max_objects) +
                            " objects in one document; the rest is not read");
                return;
            }
            read_object(raw);
        }
    }

    void fail_document(simdjson::simdjson_result<const char*> at, const std::string& message) {
        const char* p = nullptr;
        const size_t offset =
            std::move(at).get(p) || p == nullptr ? text_.size() : size_t(p - text_.data());
        out_.diagnostics.push_back({Severity::Error, locator_.at(offset), "", message});
        ++out_.rejected;
    }

  private:
    void fail_at(std::string_view raw, const std::string& id, const std::string& message) {
        out_.diagnostics.push_back(
            {Severity::Error, locator_.at(size_t(raw.data() - text_.data())), id, message});
    }

    // Located at the bracket that opens the level too deep, with the object's id when it
    // has one (read without descending into the object).
    void fail_too_deep(std::string_view raw) {
        const NestingError nesting = nesting_error(raw);
        const size_t start = size_t(raw.data() - text_.data());
        out_.diagnostics.push_back({Severity::Error,
                                    locator_.at(start + nesting.offset.value_or(0)),
                                    top_level_string(raw, "id"), nesting.message});
    }

    void read_object(std::string_view raw) {
        if (raw.size() > options_.limits.max_object_bytes) {
            ++out_.rejected;
            fail_at(raw, "",
                    "object of " + std::to_string(raw.size()) + " bytes is over the " +
                        std::to_string(options_.limits.max_object_bytes) + "-byte limit");
            return;
        }
        simdjson::dom::element element;
        if (auto error = dom_.parse(raw.data(), raw.size()).get(element)) {
            ++out_.rejected;
            if (error == simdjson::DEPTH_ERROR) return fail_too_deep(raw);
            fail_at(raw, "", std::string("malformed JSON: ") + simdjson::error_message(error));
            return;
        }
        ObjectCheck check = check_object(element, options_);
        if (!check.checked) {
            ++out_.rejected;
            fail_at(raw, check.id, check.checked.error().message);
            return;
        }
        if (std::optional<Indicator>& indicator = *check.checked) {
            out_.indicators.push_back(std::move(*indicator));
        } else {
            out_.others.push_back(
                {std::move(check.type), std::move(check.id), simdjson::minify(element)});
        }
    }

    std::string_view text_;
    const BundleOptions& options_;
    BundleContent& out_;
    LineLocator locator_;
    simdjson::dom::parser dom_;
};

}  // namespace

BundleContent read_bundle(std::string_view text, const BundleOptions& options) {
    BundleContent out;
    if (text.size() > options.limits.max_bytes) {
        out.diagnostics.push_back({Severity::Error,
                                   {options.origin, 0, 0},
                                   "",
                                   "document of " + std::to_string(text.size()) +
                                       " bytes is over the " +
                                       std::to_string(options.limits.max_bytes) + "-byte limit"});
        return out;
    }
    const simdjson::padded_string padded(text);
    const std::string_view view(padded.data(), padded.size());
    od::parser parser;
    od::document doc;
    BundleWalker walker(view, options, out);
    if (!walker.ready()) {
        walker.fail_document(nullptr, "out of memory");
        return out;
    }
    if (auto error = parser.iterate(padded).get(doc)) {
        walker.fail_document(nullptr,
                             std::string("not a JSON document: ") + simdjson::error_message(error));
        return out;
    }
    od::json_type type;
    if (doc.type().get(type)) {
        walker.fail_document(doc.current_location(), "not a JSON document");
        return out;
    }
    if (type == od::json_type::array) {
        od::array array;
        if (doc.get_array().get(array)) {
            walker.fail_document(nullptr, "malformed JSON (an unclosed array or object?)");
            return out;
        }
        walker.walk_array(array);
    } else if (type == od::json_type::object) {
        od::array objects;
        auto field = doc.find_field_unordered("objects");
        if (field.error() == simdjson::NO_SUCH_FIELD) return out;  // an empty bundle
        if (field.get_array().get(objects)) {
            walker.fail_document(doc.current_location(), "\"objects\" is not an array of objects");
            return out;
        }
        walker.walk_array(objects);
    } else {
        walker.fail_document(doc.current_location(),
                             "a STIX document is a bundle, an envelope or an array of objects");
    }
    return out;
}

}  // namespace vigie::stix
