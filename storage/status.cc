#include "storage/status.h"

namespace kpi {

std::string Status::ToString() const {
  const char* name = "OK";
  switch (code_) {
    case Code::kOk: return "OK";
    case Code::kInvalidArgument: name = "Invalid argument"; break;
    case Code::kNotFound: name = "Not found"; break;
    case Code::kCorruption: name = "Corruption"; break;
    case Code::kIOError: name = "IO error"; break;
    case Code::kAborted: name = "Aborted"; break;
    case Code::kTimedOut: name = "Timed out"; break;
    case Code::kPermissionDenied: name = "Permission denied"; break;
    case Code::kResourceExhausted: name = "Resource exhausted"; break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace kpi
