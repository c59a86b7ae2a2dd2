// Auth: bearer tokens and their roles.
//
// A token file has one `<token> <role>` per line; roles are `read`, `write`
// and `admin`, each allowing what the one before it allows:
//   read:  query, list KPIs, metrics;
//   write: read + ingest events;
//   admin: write + define and drop named KPIs.
// Blank lines and lines starting with '#' are ignored. A malformed line, an
// unknown role, a token shorter than 8 bytes or a token listed twice makes
// Load() fail with InvalidArgument naming the line (never the token).
//
// Lookup() compares the presented token with EVERY known token in constant
// time per token (no early exit on the first differing byte or on a match),
// so response timing does not reveal how much of a token was right.
// Tokens are never logged or put in error messages.
// Thread safety: immutable after Load/Parse; Lookup is const and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"

namespace kpi::server {

enum class Role : int { kNone = 0, kRead = 1, kWrite = 2, kAdmin = 3 };

const char* RoleName(Role role);  // "none", "read", "write", "admin"

class TokenTable {
 public:
  // Reads the file at `path`; IOError if it cannot be read.
  static Status Load(const std::string& path, TokenTable* out);
  // Parses token file text (what Load reads).
  static Status Parse(std::string_view text, TokenTable* out);

  // The role of `token`, or kNone when no token matches.
  Role Lookup(std::string_view token) const;
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string token;
    Role role;
  };
  std::vector<Entry> entries_;
};

// The token of an `Authorization: Bearer <token>` header value ("" if the
// value is not of that form). The scheme is case-insensitive.
std::string_view BearerToken(std::string_view authorization);

// Byte-wise equality whose running time depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace kpi::server
