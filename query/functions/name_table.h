// Lookup in the language's function tables (aggregates in
// query/aggregates/registry.cc, per-ticket functions in
// ticket_function_registry.cc, scalar functions in scalar_functions.cc):
// each is a constant array of entries with a `const char* name`, searched
// by name in table order and listed by name for suggestions, completion
// and the docs check. One implementation, so the three tables cannot drift
// in how a name is found.
// Thread safety: pure functions over immutable tables.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kpi::query {

// The entry named `name` (exact, case-sensitive), or nullptr.
template <typename Entry, size_t N>
const Entry* FindByName(const Entry (&table)[N], std::string_view name) {
  for (const Entry& e : table)
    if (name == e.name) return &e;
  return nullptr;
}

// Every entry's name, in table order.
template <typename Entry, size_t N>
std::vector<std::string> NamesOf(const Entry (&table)[N]) {
  std::vector<std::string> out;
  out.reserve(N);
  for (const Entry& e : table) out.push_back(e.name);
  return out;
}

}  // namespace kpi::query
