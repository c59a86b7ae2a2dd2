// Reads ClickHouse's TabSeparated answer into a query::Result whose columns
// (names and types) the bound statement fixed.
//
// Cells: \N is null; numbers and durations are doubles (inf and nan are
// null, as non-finite results are locally); times are epoch ms; booleans
// 0 / 1; strings are unescaped (\t \n \\ ...). A row with another number of
// fields than columns is Corruption (never a partial answer).
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "query/result.h"
#include "storage/status.h"

namespace kpi::clickhouse {

Status ReadTsvResult(const std::string& tsv, std::vector<query::ResultColumn> columns, query::Result* out);

// One row of `fields` integers (an aggregate's answer, e.g. min and max)
// into *out; Corruption naming `what` otherwise.
Status ReadInt64Row(const std::string& tsv, size_t fields, const std::string& what, std::vector<int64_t>* out);

// Splits TabSeparated text into rows of unescaped fields ("\N" stays "\N").
std::vector<std::vector<std::string>> SplitTsv(const std::string& text);

}  // namespace kpi::clickhouse
