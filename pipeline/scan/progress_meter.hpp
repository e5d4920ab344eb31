// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A one-line progress display on a terminal: bytes done of the total, events per
// second, alerts so far. Drawn at the first update, then at most every 200 ms; finish()
// erases it so that the summary that follows starts on a clean line.
#include <chrono>
#include <cstdint>
#include <cstdio>

namespace vigie {

class ProgressMeter {
  public:
    ProgressMeter(std::FILE* out, uint64_t total_bytes);

    void update(uint64_t bytes, uint64_t events, uint64_t alerts);
    void finish();

  private:
    std::FILE* out_;
    uint64_t total_bytes_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
    bool drawn_ = false;  // a line is on screen
    bool ever_drawn_ = false;
};

}  // namespace vigie
