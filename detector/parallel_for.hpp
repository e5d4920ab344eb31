// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Runs fn(i) for every i in [0, n) on up to one thread per core, the caller's included:
// for start-up work (parsing rule files, compiling Hyperscan databases), never for the
// hot path. Work is handed out one index at a time, so uneven items balance. An
// exception thrown by fn is rethrown on the caller's thread once every thread is done.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace vigie {

// `min_per_thread`: fewer items than this per extra thread are not worth a thread.
template <class Fn>
void parallel_for(size_t n, Fn&& fn, size_t min_per_thread = 1) {
    std::atomic<size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto work = [&] {
        for (size_t i = next++; i < n; i = next++) {
            try {
                fn(i);
            } catch (...) {
                std::lock_guard lock(failure_mutex);
                if (!failure) failure = std::current_exception();
            }
        }
    };
    const size_t cores = std::max(1U, std::thread::hardware_concurrency());
    const size_t threads = std::clamp<size_t>(n / std::max<size_t>(min_per_thread, 1), 1, cores);
    {
        std::vector<std::jthread> pool;
        for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
        work();
    }
    if (failure) std::rethrow_exception(failure);
}

}  // namespace vigie
