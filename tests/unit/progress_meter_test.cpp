// SPDX-License-Identifier: EUPL-1.2
// The progress line's content and its erasure.
#include "pipeline/scan/progress_meter.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <string>

namespace {

std::string contents(std::FILE* f) {
    std::fflush(f);
    std::rewind(f);
    std::string out;
    for (int c = std::fgetc(f); c != EOF; c = std::fgetc(f)) out += static_cast<char>(c);
    return out;
}

}  // namespace

TEST_CASE("the progress line shows the share done, the rate and the alerts, then is erased") {
    std::FILE* f = std::tmpfile();
    REQUIRE(f != nullptr);
    vigie::ProgressMeter meter(f, 100ULL << 20);
    meter.update(50ULL << 20, 1000, 7);  // the first update draws at once
    const std::string line = contents(f);
    CHECK(line.find("[############............]  50%") != std::string::npos);
    CHECK(line.find("50.0 / 100.0 MiB") != std::string::npos);
    CHECK(line.find("7 alerts") != std::string::npos);
    meter.update(60ULL << 20, 2000, 8);  // within 200 ms: not redrawn
    CHECK(contents(f) == line);
    meter.finish();
    CHECK(contents(f) == line + "\r\033[K");
    std::fclose(f);
}
