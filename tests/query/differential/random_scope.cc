// Random token scopes (see random_scope.h).
#include "query/differential/random_scope.h"

#include <map>
#include <vector>

namespace kpi::differential {

std::string RandomScope(std::mt19937_64* rng, const reference::RefStore& tickets) {
  std::map<std::string, std::vector<std::string>> values;
  for (const auto& [id, t] : tickets.tickets)
    for (const auto& [d, v] : t.dims) values[d].push_back(v);
  std::vector<std::string> dims;
  for (const auto& [d, v] : values) dims.push_back(d);
  if (dims.empty()) return "nothing is not null";
  auto pick_dim = [&] { return dims[(*rng)() % dims.size()]; };
  auto pick_value = [&](const std::string& d) { return "\"" + values[d][(*rng)() % values[d].size()] + "\""; };
  const std::string d = pick_dim();
  switch ((*rng)() % 5) {
    case 0: return d + " = " + pick_value(d);
    case 1: return d + " in (" + pick_value(d) + ", " + pick_value(d) + ")";
    case 2: return d + " != " + pick_value(d);
    case 3: return d + " is null or " + d + " = " + pick_value(d);
    default: {
      const std::string e = pick_dim();
      return "not (" + d + " = " + pick_value(d) + ") and " + e + " is not null";
    }
  }
}

}  // namespace kpi::differential
