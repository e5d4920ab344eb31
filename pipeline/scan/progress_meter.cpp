// SPDX-License-Identifier: EUPL-1.2
#include "pipeline/scan/progress_meter.hpp"

#include <algorithm>

namespace vigie {

namespace {
constexpr auto kRedrawEvery = std::chrono::milliseconds(200);
constexpr int kBarWidth = 24;
constexpr double kMiB = 1024.0 * 1024.0;
}  // namespace

ProgressMeter::ProgressMeter(std::FILE* out, uint64_t total_bytes)
    : out_(out),
      total_bytes_(total_bytes),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void ProgressMeter::update(uint64_t bytes, uint64_t events, uint64_t alerts) {
    auto now = std::chrono::steady_clock::now();
    if (ever_drawn_ && now - last_draw_ < kRedrawEvery) return;
    ever_drawn_ = true;  // the first batch shows the bar at once
    last_draw_ = now;
    double seconds = std::chrono::duration<double>(now - start_).count();
    double done =
        total_bytes_ > 0
            ? std::min(1.0, static_cast<double>(bytes) / static_cast<double>(total_bytes_))
            : 0;
    int filled = static_cast<int>(done * kBarWidth);
    char bar[kBarWidth + 1];
    for (int i = 0; i < kBarWidth; ++i) bar[i] = i < filled ? '#' : '.';
    bar[kBarWidth] = '\0';
    std::fprintf(out_, "\r[%s] %3.0f%%  %.1f / %.1f MiB  %.0f events/s  %llu alerts   ", bar,
                 done * 100, static_cast<double>(bytes) / kMiB,
                 static_cast<double>(total_bytes_) / kMiB,
                 seconds > 0 ? static_cast<double>(events) / seconds : 0.0,
                 static_cast<unsigned long long>(alerts));
    std::fflush(out_);
    drawn_ = true;
}

void ProgressMeter::finish() {
    if (!drawn_) return;
    std::fprintf(out_, "\r\033[K");
    std::fflush(out_);
    drawn_ = false;
}

}  // namespace vigie
