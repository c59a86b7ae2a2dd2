// The case files of tests/query/cases on the ClickHouse backend, against the
// two-shard fixture cluster (tests/clickhouse/cluster.sh): the same steps
// replayed (event batches stamped with their instants through the backend's
// clock; lookup tables loaded into the cluster's definitions at their
// instant; other statements run, their failures ignored as the local runner
// does) on a fresh database, the same expectations checked.
//
// Known gaps: tests/query/clickhouse_known_gaps.txt lists, one per line, a
// test's name (`<file stem>__<query name>`, as the runner names it) or
// `<file stem>__*` for a whole file, then the reason. A listed
// case that fails is reported as skipped with that reason (visible in every
// run's summary); a listed case that passes FAILS ("remove it from the
// list"), so the list never hides a case that works and nothing passes
// without running. A case not listed must pass.
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "clickhouse/clickhouse_backend.h"
#include "clickhouse_env.h"
#include "query/cases_runner/case_check.h"
#include "query/catalog/table_store.h"
#include "query/reference/result_text.h"
#include "query/watch/watch_record.h"
#include "storage/store.h"

namespace kpi::cases {
namespace {

std::string GapsPath() { return std::string(KPI_TEST_DATA_DIR) + "/query/clickhouse_known_gaps.txt"; }

// test name or "<stem>__*" -> reason.
const std::map<std::string, std::string>& KnownGaps() {
  static const auto* gaps = [] {
    auto* m = new std::map<std::string, std::string>();
    std::ifstream in(GapsPath());
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      const size_t sp = line.find_first_of(" \t");
      const std::string key = line.substr(0, sp);
      std::string reason = sp == std::string::npos ? "" : line.substr(line.find_first_not_of(" \t", sp));
      (*m)[key] = reason;
    }
    return m;
  }();
  return *gaps;
}

std::string GapOf(const CaseParam& p, const Step& step) {
  (void)step;
  const std::string stem = Sanitize(std::filesystem::path(p.file).stem().string());
  for (const std::string& key : {p.test_name, stem + "__*"}) {
    auto it = KnownGaps().find(key);
    if (it != KnownGaps().end()) return it->second.empty() ? "(no reason given)" : it->second;
  }
  return "";
}

// "" when the step's statement meets its expectation on ClickHouse.
std::string RunOnClickHouse(const CaseParam& p, const clickhouse::Config& config) {
  const CaseFile& file = ParsedFiles().at(p.file).first;
  const Step& step = file.steps[p.step];
  int64_t now_ms = 0;
  std::unique_ptr<clickhouse::ClickHouseBackend> ch;
  Status s = clickhouse::ClickHouseBackend::Open(config, [&now_ms] { return now_ms; }, &ch);
  if (!s.ok()) return "open: " + s.ToString();
  for (size_t i = 0; i < p.step; ++i) {
    const Step& prior = file.steps[i];
    if (prior.kind == Step::Kind::kEvents) {
      now_ms = prior.ingest_ms;
      if (prior.events.empty()) continue;
      std::vector<storage::EventReject> rejects;
      storage::IngestStats stats;
      s = ch->Ingest(prior.events, &rejects, &stats);
      if (!s.ok()) return "ingest of the batch at line " + std::to_string(prior.line) + ": " + s.ToString();
      continue;
    }
    if (prior.kind == Step::Kind::kWatchRun) {
      now_ms = prior.ingest_ms;
      Status run;  // a failed run is recorded as the server records it
      s = query::RunWatchOnce(*ch, prior.watch, prior.ingest_ms, &run);
      if (!s.ok()) return "run watch " + prior.watch + " (line " + std::to_string(prior.line) + "): " + s.ToString();
      continue;
    }
    if (prior.kind == Step::Kind::kTable) {
      query::TableLoadReport report;
      s = query::LoadTableCsvIntoStore(ch->Meta(), prior.table, prior.table_key, prior.csv, prior.table + ".csv",
                                       now_ms, &report);
      if (!s.ok()) return "table " + prior.table + " (line " + std::to_string(prior.line) + "): " + s.ToString();
      continue;
    }
    if (Contains(prior.text.substr(0, 7), "select") || Contains(prior.text.substr(0, 8), "explain")) continue;
    query::Result ignored;
    query::QueryError qerr;
    ch->Execute(prior.text, query::ExecOptions{}, &ignored, &qerr);
  }
  const Expectation& x = step.expect;
  query::Result got;
  query::QueryError qerr;
  query::ExecOptions options;
  options.now_ms = now_ms;
  s = ch->Execute(step.text, options, &got, &qerr);
  if (x.expect_error) {
    if (s.ok()) return "the statement should fail; it gave\n" + reference::FormatTable(got);
    if (!Contains(qerr.ToString() + s.ToString(), x.error_text))
      return "the error does not hold '" + x.error_text + "': " + qerr.ToString() + s.ToString();
    return "";
  }
  if (!s.ok()) return s.ToString() + (qerr.message.empty() ? "" : "\n" + qerr.ToString());
  if (x.expect_ok && !Contains(got.message, x.ok_text)) return "message: " + got.message;
  std::string why = CheckTable(x, got);
  if (why.empty()) why = CheckWarnings(x, got);
  return why;
}

class ClickHouseCaseTest : public ::testing::TestWithParam<CaseParam> {};

TEST_P(ClickHouseCaseTest, MatchesExpectation) {
  const CaseParam& p = GetParam();
  ASSERT_TRUE(p.load_error.empty()) << p.load_error;
  clickhouse::Config config;
  KPI_CLICKHOUSE_OR_SKIP(p.test_name, config);
  const Step& step = ParsedFiles().at(p.file).first.steps[p.step];
  SCOPED_TRACE(p.file + ":" + std::to_string(step.line) + " query " + step.name + "\n" + step.text);
  const std::string why = RunOnClickHouse(p, config);
  const std::string gap = GapOf(p, step);
  if (!gap.empty()) {
    if (why.empty()) FAIL() << "listed in " << GapsPath() << " as a known gap, but it passes: remove it from the list";
    GTEST_SKIP() << "known gap (" << GapsPath() << "): " << gap << "\n  now: " << why.substr(0, why.find('\n'));
  }
  EXPECT_EQ(why, "") << "clickhouse backend";
}

INSTANTIATE_TEST_SUITE_P(ClickHouseCases, ClickHouseCaseTest, ::testing::ValuesIn(AllCases()),
                         [](const ::testing::TestParamInfo<CaseParam>& info) { return info.param.test_name; });

}  // namespace
}  // namespace kpi::cases
