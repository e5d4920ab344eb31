// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A blocking FIFO between pipeline stages. It holds pointers into a fixed pool of
// batches, so it never holds more than the pool: that is what bounds memory. Batches
// are large, so one lock per batch is noise; nothing here is touched per event.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

namespace vigie {

template <typename T>
class WorkQueue {
  public:
    void push(T item) {
        {
            std::lock_guard lock(mutex_);
            items_.push_back(std::move(item));
        }
        ready_.notify_one();
    }
    // Blocks until an item arrives; nullopt once closed and drained.
    std::optional<T> pop() {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return !items_.empty() || closed_; });
        if (items_.empty()) return std::nullopt;
        T item = std::move(items_.front());
        items_.pop_front();
        return item;
    }
    void close() {
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
        }
        ready_.notify_all();
    }

  private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<T> items_;
    bool closed_ = false;
};

}  // namespace vigie
