// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Reads STIX 2.1 content: a bundle ({"type":"bundle","objects":[...]}), a TAXII envelope
// ({"objects":[...]}) or a JSON array of objects. Each object is checked on its own: a
// bad one is reported with its place (file:line:col of the object, its id) and what is
// wrong, and the good ones are kept. Indicators come out parsed (federation/stix/indicator.hpp),
// every object also as minified JSON for stores that keep other types.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "federation/stix/indicator.hpp"

namespace vigie::stix {

struct BundleLimits {
    size_t max_bytes = size_t{256} << 20;       // the whole document
    size_t max_objects = 2'000'000;             // objects in one document
    size_t max_object_bytes = size_t{1} << 20;  // one object, as received
    size_t max_pattern_bytes = 64 << 10;
};

struct StixObject {
    std::string type;
    std::string id;
    std::string json;  // minified
};

struct BundleContent {
    std::vector<Indicator> indicators;  // valid indicators (any pattern_type)
    std::vector<StixObject> others;     // every other valid object
    size_t objects = 0;                 // objects seen, valid or not
    size_t rejected = 0;                // objects refused (each has a diagnostic)
    Diagnostics diagnostics;            // errors (rejections) and warnings
};

struct BundleOptions {
    std::string origin;            // names the input in diagnostics (a file, "POST /taxii2/...")
    std::string source;            // the peer or file recorded on each indicator
    Tlp default_tlp = Tlp::Amber;  // for objects without a TLP marking
    BundleLimits limits;
};

// Never throws on input; a document that is not JSON at all gives one diagnostic.
BundleContent read_bundle(std::string_view text, const BundleOptions& options);

}  // namespace vigie::stix
