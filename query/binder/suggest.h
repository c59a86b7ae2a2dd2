// Closest known names for "unknown column / function" errors.
//
// Suggest() ranks `candidates` by Levenshtein distance to `name`, ignoring
// ASCII case (`CHANNEL` suggests `channel`; ties: the distance with case),
// and keeps the few close enough to be a plausible typo (distance <=
// max(2, len / 3)).
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kpi::query {

size_t EditDistance(std::string_view a, std::string_view b);

// At most `max_results` names, closest first (ties in candidate order).
std::vector<std::string> Suggest(std::string_view name, const std::vector<std::string>& candidates,
                                 size_t max_results = 3);

// " (did you mean 'a' or 'b'?)" or "" when nothing is close.
std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace kpi::query
