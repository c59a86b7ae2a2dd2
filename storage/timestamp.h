// Timestamps: parsing and printing of the instants kpistore stores.
//
// The store keeps every instant as int64 epoch milliseconds UTC. Accepted
// text: RFC 3339 `YYYY-MM-DDThh:mm:ss[.fff...][Z|+hh:mm|-hh:mm]` (a space
// is accepted in place of `T`; fractions beyond milliseconds are truncated),
// and the date-only form `YYYY-MM-DD` when allowed by the caller. Years
// outside [1970, 2200] are rejected: they are data-entry errors (year 20250),
// not history. Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kpi {

inline constexpr int kMinYear = 1970;
inline constexpr int kMaxYear = 2200;

// Parses an RFC 3339 timestamp. A timestamp without a zone designator is
// rejected unless `assume_utc_if_no_zone` (then it is read as UTC). On
// failure returns false and sets *error to a short reason
// ("year 20250 outside 1970..2200", "missing zone offset", ...).
bool ParseRfc3339(std::string_view text, int64_t* epoch_ms, std::string* error,
                  bool assume_utc_if_no_zone = false);

// Parses `YYYY-MM-DD` into the civil day number (days since 1970-01-01).
bool ParseDate(std::string_view text, int64_t* days, std::string* error);

// Epoch milliseconds accepted by ingest: the same year range.
bool ValidEpochMillis(int64_t epoch_ms);

// "2025-03-01T08:15:02.123Z" (milliseconds always shown; UTC).
std::string FormatRfc3339(int64_t epoch_ms);

// Days since 1970-01-01 for a proleptic Gregorian civil date, and back.
int64_t DaysFromCivil(int year, unsigned month, unsigned day);
void CivilFromDays(int64_t days, int* year, unsigned* month, unsigned* day);

}  // namespace kpi
