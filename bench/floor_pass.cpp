// SPDX-License-Identifier: EUPL-1.2
#include "bench/floor_pass.hpp"

#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>

namespace vigie::bench {

namespace {

namespace od = simdjson::ondemand;

constexpr size_t kChunk = 4 << 20;

simdjson::error_code visit(od::value value, uint64_t& strings);

simdjson::error_code visit_object(od::object obj, uint64_t& strings) {
    for (auto field : obj) {
        std::string_view key;
        if (auto err = field.unescaped_key().get(key); err) return err;
        od::value v;
        if (auto err = field.value().get(v); err) return err;
        if (auto err = visit(v, strings); err) return err;
    }
    return simdjson::SUCCESS;
}

simdjson::error_code visit(od::value value, uint64_t& strings) {
    od::json_type type;
    if (auto err = value.type().get(type); err) return err;
    switch (type) {
        case od::json_type::object: {
            od::object obj;
            if (auto err = value.get_object().get(obj); err) return err;
            return visit_object(obj, strings);
        }
        case od::json_type::array: {
            od::array arr;
            if (auto err = value.get_array().get(arr); err) return err;
            for (auto element : arr) {
                od::value v;
                if (auto err = element.get(v); err) return err;
                if (auto err = visit(v, strings); err) return err;
            }
            return simdjson::SUCCESS;
        }
        case od::json_type::string: {
            std::string_view s;
            if (auto err = value.get_string().get(s); err) return err;
            strings += s.size();
            return simdjson::SUCCESS;
        }
        case od::json_type::number: {
            double d = 0;
            return value.get_double().get(d);
        }
        case od::json_type::boolean: {
            bool b = false;
            return value.get_bool().get(b);
        }
        case od::json_type::null:
            return value.is_null().error();
    }
    return simdjson::SUCCESS;
}

}  // namespace

FloorResult run_floor_pass(const std::string& path) {
    FloorResult result;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        result.error = path + ": " + std::strerror(errno);
        return result;
    }
    std::unique_ptr<char[]> buffer(new char[kChunk + simdjson::SIMDJSON_PADDING]);
    od::parser parser;
    size_t length = 0;
    auto start = std::chrono::steady_clock::now();
    for (;;) {
        ssize_t n = ::read(fd, buffer.get() + length, kChunk - length);
        if (n < 0) {
            result.error = path + ": " + std::strerror(errno);
            break;
        }
        length += static_cast<size_t>(n);
        result.bytes += static_cast<size_t>(n);
        // Parse up to the last newline; the rest waits for the next read.
        size_t cut = length;
        while (n > 0 && cut > 0 && buffer[cut - 1] != '\n') --cut;
        for (size_t line = 0; line < cut;) {
            const char* nl =
                static_cast<const char*>(std::memchr(buffer.get() + line, '\n', cut - line));
            size_t end = nl != nullptr ? static_cast<size_t>(nl - buffer.get()) : cut;
            if (end > line) {
                od::document doc;
                simdjson::padded_string_view view(buffer.get() + line, end - line,
                                                  kChunk + simdjson::SIMDJSON_PADDING - line);
                od::object obj;
                if (parser.iterate(view).get(doc) || doc.get_object().get(obj) ||
                    visit_object(obj, result.string_bytes)) {
                    result.error = "malformed event";
                    break;
                }
                ++result.events;
            }
            line = end + 1;
        }
        std::memmove(buffer.get(), buffer.get() + cut, length - cut);
        length -= cut;
        if (n == 0 || !result.error.empty()) break;
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ::close(fd);
    return result;
}

}  // namespace vigie::bench
