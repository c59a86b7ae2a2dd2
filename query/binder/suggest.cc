#include "query/binder/suggest.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <utility>

namespace kpi::query {
namespace {

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + cost});
      diag = up;
    }
  }
  return row[b.size()];
}

std::vector<std::string> Suggest(std::string_view name, const std::vector<std::string>& candidates,
                                 size_t max_results) {
  if (name.size() > 256) return {};  // hostile input: not worth the quadratic work
  const size_t limit = std::max<size_t>(2, name.size() / 3);
  // Identifiers are case-sensitive, so `CHANNEL` is unknown, but its
  // closest name is `channel`: distances ignore case, ties go to the
  // candidate closer with case.
  const std::string lower_name = AsciiLower(name);
  std::vector<std::tuple<size_t, size_t, size_t>> ranked;  // (distance without case, with case, index)
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (candidates[i] == name || candidates[i].size() > 256) continue;
    const size_t d = EditDistance(lower_name, AsciiLower(candidates[i]));
    if (d <= limit) ranked.emplace_back(d, EditDistance(name, candidates[i]), i);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) {
    return std::get<0>(x) != std::get<0>(y) ? std::get<0>(x) < std::get<0>(y) : std::get<1>(x) < std::get<1>(y);
  });
  std::vector<std::string> out;
  for (const auto& [d, dc, i] : ranked) {
    if (out.size() >= max_results) break;
    if (std::find(out.begin(), out.end(), candidates[i]) == out.end()) out.push_back(candidates[i]);
  }
  return out;
}

std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates) {
  const std::vector<std::string> best = Suggest(name, candidates);
  if (best.empty()) return "";
  std::string out = " (did you mean ";
  for (size_t i = 0; i < best.size(); ++i) {
    if (i > 0) out += i + 1 == best.size() ? " or " : ", ";
    out += "'" + best[i] + "'";
  }
  return out + "?)";
}

}  // namespace kpi::query
