// Status: the outcome of an operation that can fail.
//
// Every fallible call in kpistore returns a Status (outputs go through pointer
// parameters); no exception crosses a module boundary. A Status is cheap to
// copy when OK and carries a code plus a human-readable message otherwise.
// Thread safety: a Status is a value; distinct objects may be used freely
// from distinct threads.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace kpi {

class Status {
 public:
  // Values are part of the server's error mapping; never renumber.
  enum class Code : int {
    kOk = 0,
    kInvalidArgument = 1,  // bad input: a malformed line, an unparseable query
    kNotFound = 2,
    kCorruption = 3,       // stored bytes fail to decode
    kIOError = 4,          // file system or RocksDB failure
    kAborted = 5,          // cancelled or too many errors
    kTimedOut = 6,
    kPermissionDenied = 7,
    kResourceExhausted = 8,  // a configured limit was hit
  };

  Status() = default;
  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return Status(Code::kInvalidArgument, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status Aborted(std::string msg) { return Status(Code::kAborted, std::move(msg)); }
  static Status TimedOut(std::string msg) { return Status(Code::kTimedOut, std::move(msg)); }
  static Status PermissionDenied(std::string msg) { return Status(Code::kPermissionDenied, std::move(msg)); }
  static Status ResourceExhausted(std::string msg) { return Status(Code::kResourceExhausted, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "OK" or "<Code name>: <message>".
  std::string ToString() const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Returns early from the enclosing function when `expr` is not OK.
#define KPI_RETURN_IF_ERROR(expr)        \
  do {                                   \
    ::kpi::Status _kpi_st = (expr);      \
    if (!_kpi_st.ok()) return _kpi_st;   \
  } while (0)

}  // namespace kpi
