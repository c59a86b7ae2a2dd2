// Lookup tables for the reference evaluator, read plainly from the CSV the
// tests load into the engine (evaluation-and-trends.md, section 1): header
// first, cells split at commas ("..." quotes a cell, "" is a quote), a cell
// that reads wholly as a number (optional sign, digits, fraction), a duration
// (number + s|m|h|d, in seconds) or a percentage (number + %) is a number,
// an empty cell is null, anything else a string; a column is numeric when
// it has a number and no other strings. Only what the tests write; not a
// general CSV reader. Thread safety: pure function.
#pragma once

#include <string>

#include "query/reference/reference_evaluator.h"

namespace kpi::reference {

// False with *error on a ragged line, a missing key column, a mixed column,
// or an empty or repeated key.
bool RefTableFromCsv(const std::string& csv, const std::string& key, RefTable* out, std::string* error);

}  // namespace kpi::reference
