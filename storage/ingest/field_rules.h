// Field rules shared by the NDJSON and CSV parsers: what a valid event name,
// ticket, timestamp and measure look like, and how a value is quoted inside
// a reject reason. Keeping them in one place makes both formats accept and
// reject exactly the same values, with the same wording.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kpi::ingest {

// [A-Za-z_][A-Za-z0-9_]*
bool IsIdentifier(std::string_view text);

// True when `text` holds only spaces, tabs and carriage returns (or nothing).
bool IsBlank(std::string_view text);

// `text` cut after 40 bytes (on a UTF-8 boundary) with "..." appended;
// control characters (below 0x20, and 0x7F) written as \u00XX.
std::string Abbreviate(std::string_view text);

// `text` in double quotes, cut after 40 bytes (on a UTF-8 boundary) so that a
// hostile value cannot bloat a reason.
std::string QuoteForReason(std::string_view text);

// `"key": ` (the prefix of every reason about one key).
std::string KeyPrefix(std::string_view key);

// Validates an event name; on failure sets *reason (with the "event" prefix).
bool CheckEventName(std::string_view name, std::string* reason);

// The keys every event needs: false with `missing "ts"` (then ticket, event)
// in *reason for the first one absent.
bool CheckRequiredKeys(bool have_ts, bool have_ticket, bool have_event, std::string* reason);

// Epoch milliseconds given as an integer: accepted if within 1970..2200.
bool CheckEpochMillis(int64_t ms, std::string* reason);

// A timestamp string (RFC 3339) of key "ts"; reasons carry the "ts" prefix.
bool ParseTimestampText(std::string_view text, bool assume_utc, int64_t* ms, std::string* reason);

// Strict decimal number (as std::from_chars reads it: no spaces, no '+',
// no hex), finite. Used for CSV measure cells.
bool ParseMeasureText(std::string_view text, double* value);

// A correction's fields (docs/event-format.md): `revision` as decimal digits
// in 0..4294967295, `op` as "upsert" (the default) or "retract"; reasons
// carry the key's prefix.
bool ParseRevisionText(std::string_view text, uint32_t* revision, std::string* reason);
bool ParseOpText(std::string_view text, bool* retract, std::string* reason);
// A revision or a retract needs an `id` (nothing else names the copy to replace).
bool CheckCorrection(const std::string& id, uint32_t revision, bool retract, std::string* reason);

// Decimal digits only, fitting int64: the epoch-ms form of a CSV "ts" cell.
bool ParseUnsignedDecimal(std::string_view text, int64_t* value);

}  // namespace kpi::ingest
