// What the case runners share (cases_test.cc: the local engine and the
// reference; clickhouse_cases_test.cc: the ClickHouse backend): the parsed
// case files of tests/query/cases, one CaseParam per `query` step, and the
// checks of a result against a step's expectation.
//
//   CheckTable(x, r)     "" when r satisfies the table part of x, else what
//                        differs, with both tables
//   CheckWarnings(x, r)  "" when some warning of r holds x's warning text
// Thread safety: ParsedFiles loads once (function-local static); the rest
// are pure functions.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "query/cases_runner/case_file.h"
#include "query/result.h"

namespace kpi::cases {

std::string CasesDir();

struct CaseParam {
  std::string file;  // path
  size_t step = 0;   // index in CaseFile::steps
  std::string test_name;   // <file stem>__<query name>, sanitized
  std::string load_error;  // the file did not parse
};

// gtest prints the parameter of a failing test with this.
void PrintTo(const CaseParam& p, std::ostream* os);

std::string Sanitize(const std::string& s);
// path -> (parsed file, parse error or "").
const std::map<std::string, std::pair<CaseFile, std::string>>& ParsedFiles();
std::vector<CaseParam> AllCases();

// Case-insensitive substring test.
bool Contains(const std::string& hay, const std::string& needle);

std::string CheckTable(const Expectation& x, const query::Result& r);
std::string CheckWarnings(const Expectation& x, const query::Result& r);

}  // namespace kpi::cases
