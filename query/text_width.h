// Characters and terminal columns of UTF-8 text: the one rule by which an
// error's column is counted and its caret placed, and by which the CLI pads
// table cells.
//
// A character is a valid UTF-8 sequence (a code point); a byte that starts
// no valid sequence counts as one character of its own (it is shown as one
// U+FFFD or '?'). A query error's column is 1 + the characters before the
// spot on its line (docs/query-language.md "Errors"), so a column read in an
// editor that counts characters matches, whatever the line holds.
//
// DisplayWidth approximates a terminal's cells: East Asian wide and
// fullwidth characters (CJK, kana, hangul, fullwidth forms, emoji) take 2,
// combining marks, zero-width characters and variation selectors 0, every
// other character (a control character included: the CLI shows it as '?')
// 1. A tab is 1 here; the caret line repeats the line's tabs instead.
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace kpi::query {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i);

// Bytes of the character at s[i] (>= 1 while i < s.size()).
size_t CharacterLength(std::string_view s, size_t i);

// Characters in `s`.
size_t CountCharacters(std::string_view s);

// Byte offset of the character `n` characters into `s` (s.size() when `s`
// holds fewer).
size_t OffsetOfCharacter(std::string_view s, size_t n);

// Terminal cells of the one character at s[i] (0, 1 or 2).
int CharacterWidth(std::string_view s, size_t i);

// Terminal cells of `s`.
size_t DisplayWidth(std::string_view s);

}  // namespace kpi::query
