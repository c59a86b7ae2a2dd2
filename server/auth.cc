// Bearer tokens and roles (see server/auth.h).
#include "server/auth.h"

#include <fstream>
#include <sstream>

namespace kpi::server {

namespace {

constexpr size_t kMinTokenBytes = 8;

bool ParseRole(std::string_view name, Role* role) {
  if (name == "read") {
    *role = Role::kRead;
  } else if (name == "write") {
    *role = Role::kWrite;
  } else if (name == "admin") {
    *role = Role::kAdmin;
  } else {
    return false;
  }
  return true;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Splits a line into whitespace-separated words.
std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !IsSpace(line[i])) ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kRead: return "read";
    case Role::kWrite: return "write";
    case Role::kAdmin: return "admin";
    case Role::kNone: break;
  }
  return "none";
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Walk the longer length so neither content nor a mismatch position shortens
  // the loop; the length difference is folded into the result.
  size_t n = a.size() > b.size() ? a.size() : b.size();
  volatile unsigned char diff = static_cast<unsigned char>(a.size() != b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff = diff | static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

Grant TokenTable::LookupGrant(std::string_view token) const {
  if (token.empty()) return Grant{};
  size_t found = 0;  // index + 1 of the matching entry
  for (size_t i = 0; i < entries_.size(); ++i) {
    // Branch-free accumulation: every entry is compared whatever matched before.
    const size_t match = ConstantTimeEquals(token, entries_[i].token) ? 1 : 0;
    found |= (0 - match) & (i + 1);
  }
  if (found == 0) return Grant{};
  const Entry& e = entries_[found - 1];
  return Grant{e.role, e.scope};
}

Status TokenTable::Parse(std::string_view text, TokenTable* out) {
  TokenTable table;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    std::vector<std::string_view> words = Words(line);
    if (words.empty() || words[0][0] == '#') continue;
    std::string where = "token file line " + std::to_string(line_no) + ": ";
    std::shared_ptr<const query::Scope> scope;
    if (words.size() > 2) {
      if (words[2] != "scope" || words.size() < 4)
        return Status::InvalidArgument(where + "expected '<token> <role> [scope <predicate>]'");
      // The predicate is the rest of the line after the word `scope`.
      const size_t at = static_cast<size_t>(words[2].data() - line.data()) + words[2].size();
      Status s = query::Scope::Parse(line.substr(at), &scope);
      if (!s.ok()) return Status::InvalidArgument(where + s.message());
    }
    if (words.size() < 2) return Status::InvalidArgument(where + "expected '<token> <role> [scope <predicate>]'");
    Role role;
    if (!ParseRole(words[1], &role)) {
      return Status::InvalidArgument(where + "unknown role (use read, write or admin)");
    }
    if (words[0].size() < kMinTokenBytes) {
      return Status::InvalidArgument(where + "token shorter than " + std::to_string(kMinTokenBytes) + " bytes");
    }
    for (const Entry& e : table.entries_) {
      if (e.token == words[0]) return Status::InvalidArgument(where + "token listed twice");
    }
    table.entries_.push_back(Entry{std::string(words[0]), role, std::move(scope)});
  }
  *out = std::move(table);
  return Status::OK();
}

Status TokenTable::Load(const std::string& path, TokenTable* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read token file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read token file " + path);
  Status s = Parse(text.str(), out);
  if (!s.ok()) return Status::InvalidArgument(path + ": " + s.message());
  return s;
}

std::string_view BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    char c = authorization[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return {};
  }
  std::string_view rest = authorization.substr(kScheme.size());
  if (rest[0] != ' ' && rest[0] != '\t') return {};
  while (!rest.empty() && (rest[0] == ' ' || rest[0] == '\t')) rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  return rest;
}

}  // namespace kpi::server
