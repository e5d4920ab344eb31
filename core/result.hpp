// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The one error style of vigie's fallible calls (docs/architecture.md, "Errors"): a call
// that can fail returns Result<T>, a value or an Error (what is wrong, in words, and where
// when the input has a place), like simdjson's simdjson_result: no exception on a path that
// users' input can reach, no out-parameter to forget. Checks that find many problems in one
// input (a rule file, a configuration) report them all into Diagnostics instead; exceptions
// stay for programmer errors and start-up failures.
#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "core/diagnostic.hpp"

namespace vigie {

// What retrying can do about an Error: the callers that retry (an ingest job sent again,
// a NATS message redelivered) need to know, and only the call that failed can tell.
enum class ErrorKind : uint8_t {
    Failed,   // nothing more is known: the same input may succeed later (retry it)
    Refused,  // this input can never succeed, however often it is sent again
};

struct Error {
    std::string message;
    SourceLocation where{};  // file empty: no place (a network peer, a system call)
    // Last and defaulted, so that Error{message} and Error{message, where} stay Failed.
    ErrorKind kind = ErrorKind::Failed;

    // "file:line:col: message", the parts that are known.
    [[nodiscard]] std::string format() const {
        return Diagnostic{Severity::Error, where, {}, message}.format();
    }
};

template <class T>
class [[nodiscard]] Result {
  public:
    Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
    Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<0>(state_);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(state_);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(state_));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    [[nodiscard]] const Error& error() const {
        assert(!ok());
        return std::get<1>(state_);
    }

  private:
    std::variant<T, Error> state_;
};

// A fallible call with nothing to return: success, or an Error.
template <>
class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const { return !error_.has_value(); }
    explicit operator bool() const { return ok(); }
    [[nodiscard]] const Error& error() const {
        assert(!ok());
        return *error_;
    }

  private:
    std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace vigie
