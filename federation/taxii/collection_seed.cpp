// SPDX-License-Identifier: EUPL-1.2
#include "federation/taxii/collection_seed.hpp"

#include <fstream>
#include <sstream>

#include "federation/taxii/envelope_reader.hpp"

namespace vigie::taxii {

Result<SeedResult> seed_collection(CollectionStore& store, const CollectionSettings& collection,
                                   stix::Tlp default_tlp) {
    std::ifstream in(collection.seed, std::ios::binary);
    if (!in) return Error{"cannot read " + collection.seed};
    std::ostringstream text;
    text << in.rdbuf();
    EnvelopeContents contents = read_envelope(text.str(), default_tlp);
    if (contents.error != EnvelopeError::None)
        return Error{collection.seed + ": " + contents.message};
    SeedResult result;
    std::vector<StixObjectRecord> records;
    for (auto& o : contents.objects) {
        if (o.record) {
            records.push_back(std::move(*o.record));
            continue;
        }
        if (result.refused++ == 0) result.first_refusal = o.id + ": " + o.record.error().message;
    }
    for (AddOutcome outcome : store.add(collection.id, records)) {
        if (outcome == AddOutcome::Added) ++result.added;
        if (outcome == AddOutcome::AlreadyThere) ++result.already_there;
        if (outcome == AddOutcome::Failed) ++result.refused;
    }
    return result;
}

}  // namespace vigie::taxii
