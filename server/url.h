// Request-target parsing: "/v1/query?q=select%20count()&format=csv" into its
// path and its decoded query parameters.
//
// Percent-escapes are decoded everywhere; '+' means a space in the query
// string (HTML form encoding) but not in the path. A malformed escape ("%G1",
// a truncated "%4") makes the whole target invalid. Decoded bytes may be any
// value, NUL included: callers treat them as data, never as C strings.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kpi::server {

struct Target {
  std::string path;  // decoded, without the query string
  std::vector<std::pair<std::string, std::string>> params;  // in order, decoded

  // Value of the first parameter `name`, or nullptr.
  const std::string* Param(std::string_view name) const;
};

// Decodes %XX escapes (and '+' as space when `plus_is_space`). False on a
// malformed escape; *out is then unspecified.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out);

// Splits and decodes `target`. False when the target is not origin-form
// ("/...") or holds a malformed escape.
bool ParseTarget(std::string_view target, Target* out);

}  // namespace kpi::server
