// Auth: bearer tokens, their roles and their scopes.
//
// A token file has one `<token> <role> [scope <predicate>]` per line; roles
// are `read`, `write` and `admin`, each allowing what the one before it
// allows:
//   read:  query, list KPIs, metrics;
//   write: read + ingest events;
//   admin: write + define and drop named KPIs.
// `scope <predicate>` (the rest of the line) limits the token to a slice of
// the data: a predicate over dimensions such as `client = "acme"` or
// `business_type in ("finance", "b2b")` (query/execution/scope.h has the grammar and
// the per-ticket semantics). Its statements see only the scope's tickets,
// its uploads may only add events inside the scope, and it may not change
// definitions, which are shared by every scope, nor read /metrics, which
// describes the whole store (docs/server-api.md).
// Blank lines and lines starting with '#' are ignored. A malformed line, an
// unknown role, a token shorter than 8 bytes, a token listed twice or a
// scope that does not parse makes Load() fail with InvalidArgument naming
// the line (never the token).
//
// Lookup() compares the presented token with EVERY known token in constant
// time per token (no early exit on the first differing byte or on a match),
// so response timing does not reveal how much of a token was right.
// Tokens are never logged or put in error messages.
// Thread safety: immutable after Load/Parse; Lookup is const and thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "query/execution/scope.h"
#include "storage/status.h"

namespace kpi::server {

enum class Role : int { kNone = 0, kRead = 1, kWrite = 2, kAdmin = 3 };

const char* RoleName(Role role);  // "none", "read", "write", "admin"

// What a token may do: its role and, for a scoped token, its scope (null:
// the whole store).
struct Grant {
  Role role = Role::kNone;
  std::shared_ptr<const query::Scope> scope;
};

class TokenTable {
 public:
  // Reads the file at `path`; IOError if it cannot be read.
  static Status Load(const std::string& path, TokenTable* out);
  // Parses token file text (what Load reads).
  static Status Parse(std::string_view text, TokenTable* out);

  // The role of `token`, or kNone when no token matches.
  Role Lookup(std::string_view token) const { return LookupGrant(token).role; }
  // Its role and scope (role kNone when no token matches).
  Grant LookupGrant(std::string_view token) const;
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string token;
    Role role;
    std::shared_ptr<const query::Scope> scope;  // null: unscoped
  };
  std::vector<Entry> entries_;
};

// The token of an `Authorization: Bearer <token>` header value ("" if the
// value is not of that form). The scheme is case-insensitive.
std::string_view BearerToken(std::string_view authorization);

// Byte-wise equality whose running time depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace kpi::server
