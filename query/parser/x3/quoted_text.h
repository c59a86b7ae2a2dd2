// Quoted text: the one escaping rule of strings ("..." or '...') and quoted
// names (`...`, quoted_names.h), written by QuoteWith and read back by
// ReadQuoted; SkipQuoted finds where such text ends without reading it.
//
// Between the quotes every character stands for itself except `\`, which
// starts one of the escapes \" \' \\ \n \t \r or \<quote> (so \` only in a
// quoted name). Quoted text ends on the line it starts. What a fault is
// called and where it is reported stays with the caller (the string token
// in tokens.h, ReadQuotedName): this file decides only what the text says.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace kpi::query::x3p {

// How ReadQuoted ended.
enum class QuotedRead {
  kRead,          // *text is the unescaped text, *end just past the closing quote
  kUnterminated,  // the line or the input ended before the closing quote
  kUnknownEscape  // *escape_at is the `\` of an escape not in the rule
};

// Reads the quoted text whose opening quote is at `p` (< last); the closing
// quote is the same character. *text is cleared first; *end and *escape_at
// are set only on kRead and kUnknownEscape respectively.
QuotedRead ReadQuoted(const char* p, const char* last, std::string* text, const char** end,
                      const char** escape_at);

// Where the quoted text that opens at `p` (< last) ends: just past the
// closing quote, or where the line or input ends when there is none
// (*closed then false). Steps over escapes without judging them.
const char* SkipQuoted(const char* p, const char* last, bool* closed = nullptr);

// `text` between two `quote` characters, with the quote, \\, newline, tab
// and carriage return escaped (\<quote> \\ \n \t \r): what ReadQuoted reads
// back as `text`.
std::string QuoteWith(std::string_view text, char quote);

}  // namespace kpi::query::x3p
