// Completion of statement text: the one rule behind the REPL's Tab
// (cli/repl_command.cc) and the web UI's editor (GET /v1/complete,
// server/complete_endpoint.h).
//
//   * The word being completed starts after the last word-break character
//     before the cursor (kCompletionWordBreaks: blanks, quotes, brackets,
//     commas, ';' and operators), so `"ch` completes `ch` and `a.b` stays one
//     word (table columns complete as TABLE.column); inside a quoted name
//     (`first na) the word starts at its opening backtick, blanks and all.
//   * Candidates are the vocabulary's words that start with it, compared
//     without regard to ASCII case, in the vocabulary's (sorted) order. A
//     word that opens a quoted name (`ch) also matches bare words, offered
//     quoted (`channel`); a bare word (ét) matches quoted ones by what is
//     inside their backticks (`état`).
//   * The vocabulary: the language's keywords, builtin and stored column
//     names, event names, aggregate and function names, buckets, and the
//     name of every definition the viewer sees (Backend::CompletionWords),
//     each as a statement writes it: names that need it in backticks.
// Thread safety: pure functions; CompletionVocabulary reads the store.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "query/engine.h"

namespace kpi::query {

// Readline takes a mutable C string: a char array, not a string_view.
inline constexpr char kCompletionWordBreaks[] = " \t\n\"'(),;=<>!+*/";

// The offset in `text` where the word ending at `cursor` starts.
size_t CompletionWordStart(std::string_view text, size_t cursor);

// True when `word` starts with `prefix`, ignoring ASCII case.
bool CompletionMatches(std::string_view word, std::string_view prefix);

// Keywords plus engine.CompletionWords(viewer), sorted, without duplicates.
// `viewer`: the scope text of the asking token (nullptr: unscoped).
std::vector<std::string> CompletionVocabulary(const Backend& engine, const std::string* viewer = nullptr);

// The vocabulary's words that complete `prefix`, at most `limit` (0: all).
std::vector<std::string> CompletionCandidates(const std::vector<std::string>& vocabulary, std::string_view prefix,
                                              size_t limit = 0);

}  // namespace kpi::query
