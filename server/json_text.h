// JSON text building blocks for the server's responses, written by hand so
// that large query results are rendered in one pass without a DOM.
//
// JsonString() accepts any bytes: control characters are escaped and invalid
// UTF-8 is replaced by U+FFFD, so the output is always valid JSON.
// AppendJsonNumber() writes the shortest text that reads back as the same
// double; NaN and infinities (which JSON cannot hold) become null.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace kpi::server {

// Appends `text` as a JSON string literal, quotes included.
void AppendJsonString(std::string* out, std::string_view text);
std::string JsonString(std::string_view text);

void AppendJsonNumber(std::string* out, double value);

}  // namespace kpi::server
