// Status and Result<T>: the one error model of arrowpack. No exception crosses the
// public API; callers who prefer exceptions opt in with value_or_throw()/throw_if_error().
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace arrowpack {

/// What kind of failure a Status carries.
enum class StatusCode : std::int8_t {
  kOk = 0,
  kInvalid,             ///< malformed input or an argument out of range
  kIOError,             ///< the operating system or a stream refused
  kKeyError,            ///< a name that is not known (or registered twice)
  kTypeError,           ///< a value of the wrong type
  kIndexError,          ///< an index beyond the end
  kNotImplemented,      ///< valid input that arrowpack does not handle yet
  kCapacityError,       ///< a limit (size, depth, count) was exceeded
  kSerializationError,  ///< a user callback failed while (de)serializing
  kOutOfMemory,         ///< the memory pool could not allocate
};

/// Human-readable name of a code ("Invalid", "IOError", ...).
std::string_view status_code_name(StatusCode code);

/// Longest message a Status keeps; the rest is cut, and the cut says how much was left out.
inline constexpr std::size_t kMaxMessageBytes = 4096;

/// `text` made safe to print or log: control characters (NUL, ESC, newlines, ...) and bytes
/// that are not well-formed UTF-8 become `\xNN`, printable text is kept, and beyond
/// kMaxMessageBytes it is cut. Every Status message goes through it, so names and values
/// taken from hostile input cannot inject lines or terminal sequences into a log.
std::string escape_message(std::string_view text);

/// Outcome of an operation: OK, or a code with a message that says what was wrong and where.
/// Cheap to return when OK (one null pointer).
class [[nodiscard]] Status {
 public:
  /// OK.
  Status() noexcept = default;
  /// A failure with `code` (kOk gives OK) and `message`, escaped by escape_message().
  Status(StatusCode code, std::string message);

  Status(const Status& other) : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  /// The OK status; never fails.
  static Status OK() { return Status(); }

  /// A Invalid status (malformed input or an argument out of range) whose message is `args` streamed in order, escaped.
  template <typename... Args>
  static Status Invalid(Args&&... args) {
    return Status(StatusCode::kInvalid, concat(std::forward<Args>(args)...));
  }
  /// A IOError status (the operating system or a stream refused) whose message is `args` streamed in order, escaped.
  template <typename... Args>
  static Status IOError(Args&&... args) {
    return Status(StatusCode::kIOError, concat(std::forward<Args>(args)...));
  }
  /// A KeyError status (an unknown or duplicate name) whose message is `args` streamed in order, escaped.
  template <typename... Args>
  static Status KeyError(Args&&... args) {
    return Status(StatusCode::kKeyError, concat(std::forward<Args>(args)...));
  }
  /// A TypeError status (a value of the wrong type) whose message is `args` streamed in order, escaped.
  template <typename... Args>
  static Status TypeError(Args&&... args) {
    return Status(StatusCode::kTypeError, concat(std::forward<Args>(args)...));
  }
  /// A IndexError status (an index beyond the end) whose message is `args` streamed in order, escaped.
  template <typename... Args>
  static Status IndexError(Args&&... args) {
    return Status(StatusCode::kIndexError, concat(std::forward<Args>(args)...));
  }
  /// A NotImplemented status (valid input not handled yet) whose message is `args` streamed in order, escaped.
  template <typename... Args>
  static Status NotImplemented(Args&&... args) {
    return Status(StatusCode::kNotImplemented, concat(std::forward<Args>(args)...));
  }
  /// A CapacityError status (a limit was exceeded) whose message is `args` streamed in order, escaped.
  template <typename... Args>
  static Status CapacityError(Args&&... args) {
    return Status(StatusCode::kCapacityError, concat(std::forward<Args>(args)...));
  }
  /// A SerializationError status (a user callback failed) whose message is `args` streamed in order, escaped.
  template <typename... Args>
  static Status SerializationError(Args&&... args) {
    return Status(StatusCode::kSerializationError, concat(std::forward<Args>(args)...));
  }
  /// A OutOfMemory status (the pool could not allocate) whose message is `args` streamed in order, escaped.
  template <typename... Args>
  static Status OutOfMemory(Args&&... args) {
    return Status(StatusCode::kOutOfMemory, concat(std::forward<Args>(args)...));
  }

  bool ok() const noexcept { return state_ == nullptr; }
  /// The code (kOk when OK); never fails.
  StatusCode code() const noexcept { return state_ ? state_->code : StatusCode::kOk; }
  /// The message alone (empty when OK).
  const std::string& message() const noexcept;
  /// "Code: message", or "OK".
  std::string to_string() const;

  bool is_invalid() const noexcept { return code() == StatusCode::kInvalid; }
  bool is_io_error() const noexcept { return code() == StatusCode::kIOError; }
  bool is_key_error() const noexcept { return code() == StatusCode::kKeyError; }
  bool is_type_error() const noexcept { return code() == StatusCode::kTypeError; }
  bool is_index_error() const noexcept { return code() == StatusCode::kIndexError; }
  bool is_not_implemented() const noexcept { return code() == StatusCode::kNotImplemented; }
  bool is_capacity_error() const noexcept { return code() == StatusCode::kCapacityError; }
  bool is_out_of_memory() const noexcept { return code() == StatusCode::kOutOfMemory; }

  /// A copy with `context` put in front of the message ("reading field 'f1': ..."); the
  /// context is escaped like the message. Errors: none of its own; the copy keeps this code.
  Status with_context(std::string_view context) const;

  /// Throws arrowpack::Error when not OK (opt-in exception style).
  void throw_if_error() const;

  template <typename... Args>
  static std::string concat(Args&&... args) {
    std::ostringstream out;
    (out << ... << std::forward<Args>(args));
    return out.str();
  }

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  std::unique_ptr<State> state_;
};

/// The exception thrown by the opt-in throwing accessors; carries the Status.
class Error : public std::runtime_error {
 public:
  explicit Error(Status status) : std::runtime_error(status.to_string()), status_(std::move(status)) {}
  const Status& status() const noexcept { return status_; }

 private:
  Status status_;
};

/// A value of type T, or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(runtime/explicit): implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT(runtime/explicit)
    if (status_.ok()) status_ = Status::Invalid("Result constructed from an OK Status without a value");
  }
  template <typename U,
            typename = std::enable_if_t<std::is_convertible_v<U&&, T> && !std::is_same_v<std::decay_t<U>, T> &&
                                        !std::is_same_v<std::decay_t<U>, Status>>>
  Result(U&& value) : value_(T(std::forward<U>(value))) {}  // NOLINT(runtime/explicit)

  bool ok() const noexcept { return status_.ok(); }
  const Status& status() const noexcept { return status_; }

  /// The value; only valid when ok().
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const& { return *value_; }
  T& operator*() & { return *value_; }
  const T* operator->() const { return &*value_; }
  T* operator->() { return &*value_; }

  /// Moves the value out (only valid when ok()).
  T move_value() { return std::move(*value_); }
  /// The value, or `fallback` when not ok().
  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }
  /// The value, or throws arrowpack::Error (opt-in exception style).
  T value_or_throw() && {
    status_.throw_if_error();
    return std::move(*value_);
  }
  const T& value_or_throw() const& {
    status_.throw_if_error();
    return *value_;
  }

 private:
  Status status_;
  std::optional<T> value_;
};

/// Runs `f` (which returns a Status or a Result) so that no C++ exception leaves it: a failed
/// allocation (std::bad_alloc) becomes OutOfMemory, a container asked for more than it can
/// hold (std::length_error) a CapacityError, anything else a SerializationError. `what`
/// says what was being done ("reading an IPC stream"). arrowpack's entry points run their
/// bodies through it; it is public for converters and callbacks that want the same.
template <typename F>
auto catch_exceptions(const char* what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kOutOfMemory, std::string("out of memory while ") + what);
  } catch (const std::length_error& e) {
    return Status(StatusCode::kCapacityError, std::string("too large a container while ") + what + ": " + e.what());
  } catch (const std::exception& e) {
    return Status(StatusCode::kSerializationError, std::string("exception while ") + what + ": " + e.what());
  } catch (...) {
    return Status(StatusCode::kSerializationError, std::string("exception while ") + what);
  }
}

#define ARROWPACK_CONCAT_IMPL(a, b) a##b
#define ARROWPACK_CONCAT(a, b) ARROWPACK_CONCAT_IMPL(a, b)

/// Returns the Status from the enclosing function when `expr` is not OK.
#define ARROWPACK_RETURN_NOT_OK(expr)        \
  do {                                       \
    ::arrowpack::Status _ap_status = (expr); \
    if (!_ap_status.ok()) return _ap_status; \
  } while (false)

#define ARROWPACK_ASSIGN_OR_RAISE_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                   \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value();

/// `lhs = value of rexpr`, or return its Status from the enclosing function.
#define ARROWPACK_ASSIGN_OR_RAISE(lhs, rexpr) \
  ARROWPACK_ASSIGN_OR_RAISE_IMPL(ARROWPACK_CONCAT(_ap_result_, __LINE__), lhs, rexpr)

/// Returns Status::Invalid(args...) when `cond` is false.
#define ARROWPACK_CHECK_OR_INVALID(cond, ...)                      \
  do {                                                             \
    if (!(cond)) return ::arrowpack::Status::Invalid(__VA_ARGS__); \
  } while (false)

}  // namespace arrowpack
