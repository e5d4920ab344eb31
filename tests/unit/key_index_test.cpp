// SPDX-License-Identifier: EUPL-1.2
// The path trie's key table: every edge found after growth, keys told apart by parent,
// length and bytes.
#include "detector/key_index.hpp"

#include <doctest/doctest.h>

#include <string>

using vigie::KeyIndex;

TEST_CASE("every inserted key is found under its parent, through the table's growth") {
    KeyIndex index;
    CHECK(index.find(0, "Image") == KeyIndex::kMissing);
    for (uint32_t i = 0; i < 2000; ++i) {
        index.insert(i % 7, "Field" + std::to_string(i), i + 100);
    }
    for (uint32_t i = 0; i < 2000; ++i) {
        CHECK(index.find(i % 7, "Field" + std::to_string(i)) == i + 100);
        CHECK(index.find((i + 1) % 7, "Field" + std::to_string(i)) == KeyIndex::kMissing);
    }
    CHECK(index.find(0, "Field") == KeyIndex::kMissing);
    CHECK(index.find(0, "Field00") == KeyIndex::kMissing);
}

TEST_CASE("keys that share their first eight bytes, and the empty key, stay apart") {
    KeyIndex index;
    index.insert(1, "ParentCommandLine", 1);
    index.insert(1, "ParentCommandLinf", 2);
    index.insert(1, "ParentCo", 3);
    index.insert(1, "", 4);
    CHECK(index.find(1, "ParentCommandLine") == 1);
    CHECK(index.find(1, "ParentCommandLinf") == 2);
    CHECK(index.find(1, "ParentCo") == 3);
    CHECK(index.find(1, "") == 4);
    CHECK(index.find(1, "ParentC") == KeyIndex::kMissing);
    CHECK(index.find(2, "") == KeyIndex::kMissing);
}
