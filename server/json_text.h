// JSON text building blocks for the server's responses, written by hand so
// that large query results are rendered in one pass without a DOM.
//
// They are the query layer's JSON value rendering (query/value_json.h), the
// same rule the CLI's JSON and result hashes use:
// JsonString() accepts any bytes: control characters are escaped and invalid
// UTF-8 is replaced by U+FFFD, so the output is always valid JSON.
// AppendJsonNumber() writes the shortest text that reads back as the same
// double; NaN and infinities (which JSON cannot hold) become null.
// Thread safety: pure functions.
#pragma once

#include "query/value_json.h"

namespace kpi::server {

using query::AppendJsonNumber;
using query::AppendJsonString;
using query::JsonString;

}  // namespace kpi::server
