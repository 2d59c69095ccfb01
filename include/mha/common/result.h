#pragma once

// Result<T>: a value or an Error, the std::expected subset masterha uses (same member names, so a
// later switch to std::expected is mechanical). Status = Result<void>.
//
//   Result<int> parse(...);            return 42;  or  return Unexpected(make_error(...));
//   if (!r) log(r.error().message);    use *r / r.value() / r->member
//
// Results are [[nodiscard]]: ignoring one is a compile warning (an error in CI).

#include "mha/common/error.h"

#include <cassert>
#include <optional>
#include <utility>
#include <variant>

namespace mha {

class Unexpected {
 public:
  explicit Unexpected(Error e) : error_(std::move(e)) {}
  Error& error() & { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(const T& v) : data_(std::in_place_index<0>, v) {}                       // NOLINT implicit
  Result(T&& v) : data_(std::in_place_index<0>, std::move(v)) {}                 // NOLINT implicit
  Result(Unexpected u) : data_(std::in_place_index<1>, std::move(u).error()) {}  // NOLINT
  template <typename U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
           !std::is_same_v<std::decay_t<U>, Unexpected> && !std::is_same_v<std::decay_t<U>, Result>)
      Result(U&& v)
      : data_(std::in_place_index<0>, T(std::forward<U>(v))) {}  // NOLINT implicit

  bool has_value() const { return data_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(data_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(data_);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(data_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    assert(!has_value());
    return std::get<1>(data_);
  }
  Error&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(data_));
  }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error> data_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;
  Result() = default;
  Result(Unexpected u) : error_(std::move(u).error()) {}  // NOLINT implicit

  bool has_value() const { return !error_.has_value(); }
  explicit operator bool() const { return has_value(); }
  void value() const { assert(has_value()); }
  const Error& error() const& {
    assert(!has_value());
    return *error_;
  }
  Error&& error() && {
    assert(!has_value());
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Status ok_status() { return Status(); }

}  // namespace mha

// MHA_TRY(expr): evaluate a Result<void>; on error return it from the enclosing function, which
// must itself return a Result of some type. The one propagation macro of the code base.
#define MHA_TRY(expr)                                                                   \
  do {                                                                                  \
    auto mha_try_result_ = (expr);                                                      \
    if (!mha_try_result_) return ::mha::Unexpected(std::move(mha_try_result_).error()); \
  } while (0)
