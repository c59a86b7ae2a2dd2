// Completion of statement text (see query/completion.h).
#include "query/completion.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "query/aggregates/aggregate.h"
#include "query/binder/binder.h"
#include "query/functions/scalar_functions.h"
#include "query/functions/ticket_function_registry.h"
#include "query/parser/names.h"
#include "query/parser/parser.h"

namespace kpi::query {

size_t CompletionWordStart(std::string_view text, size_t cursor) {
  cursor = std::min(cursor, text.size());
  // Inside a quoted name, blanks and operators are part of the word.
  if (const size_t open = OpenQuotedName(text.substr(0, cursor)); open != std::string_view::npos) return open;
  size_t start = cursor;
  while (start > 0 && std::strchr(kCompletionWordBreaks, text[start - 1]) == nullptr) --start;
  return start;
}

bool CompletionMatches(std::string_view word, std::string_view prefix) {
  if (word.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(word[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  }
  return true;
}

std::vector<std::string> CompletionVocabulary(const Backend& engine, const std::string* viewer) {
  // The language's words, whatever the backend ...
  std::vector<std::string> words = Keywords();
  for (const std::string& c : BuiltinColumnNames()) words.push_back(c);
  for (const std::string& f : AggregateNames()) words.push_back(f);
  for (const std::string& f : TicketFunctionNames()) words.push_back(f);
  for (const std::string& f : ScalarFunctionNames()) words.push_back(f);
  words.push_back("cycles");
  for (const char* b : {"minute", "hour", "day", "week", "month", "quarter", "year", "hour_of_day", "weekday"})
    words.push_back(b);
  // ... then the data's and the definitions' names.
  for (std::string& w : engine.CompletionWords(viewer)) words.push_back(std::move(w));
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

std::vector<std::string> CompletionCandidates(const std::vector<std::string>& vocabulary, std::string_view prefix,
                                              size_t limit) {
  std::vector<std::string> out;
  // A prefix opening a quoted name completes bare words too, quoted.
  const bool quoting = !prefix.empty() && prefix[0] == '`';
  for (const std::string& w : vocabulary) {
    std::string quoted;
    if (quoting && (w.empty() || w[0] != '`')) {
      quoted = "`" + w + "`";
      if (!CompletionMatches(quoted, prefix)) continue;
      out.push_back(std::move(quoted));
    } else {
      // A quoted word completes its unquoted beginning too (`ét` -> `état`).
      const bool inside = !quoting && !w.empty() && w[0] == '`' && CompletionMatches(std::string_view(w).substr(1), prefix);
      if (!inside && !CompletionMatches(w, prefix)) continue;
      out.push_back(w);
    }
    if (limit != 0 && out.size() >= limit) break;
  }
  return out;
}

}  // namespace kpi::query
