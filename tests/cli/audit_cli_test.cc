// End-to-end tests of result provenance in `kpi query` and of `kpi audit
// verify`, running the real binary: a saved JSON result still verifies after
// late events are ingested and a KPI it uses is redefined (its as_of pins
// the view), and a saved result whose rows were changed does not, showing
// the first differing row.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <regex>
#include <string>

#include "cli_test_util.h"
#include "query/evaluation/provenance.h"
#include "query/value_json.h"
#include "test_util.h"

namespace kpi::testing {
namespace {

using nlohmann::json;

constexpr const char* kStatement =
    "select count() as n, rate(has(resolved)) as resolved, fast, avg(duration(created -> resolved)) as aht, "
    "min(created) as first from tickets by channel tz \"Europe/Berlin\"";

// Events dated inside the generated range, ingested later: they change the
// answer of a rerun without `as of`.
constexpr const char* kLateEvents =
    "{\"ts\":\"2025-01-02T10:00:00Z\",\"ticket\":\"LATE1\",\"event\":\"created\",\"channel\":\"chat\"}\n"
    "{\"ts\":\"2025-01-02T10:01:00Z\",\"ticket\":\"LATE1\",\"event\":\"agent_reply\",\"agent\":\"a1\"}\n"
    "{\"ts\":\"2025-01-02T11:00:00Z\",\"ticket\":\"LATE1\",\"event\":\"resolved\",\"agent\":\"a1\"}\n"
    "{\"ts\":\"2025-01-03T09:00:00Z\",\"ticket\":\"LATE2\",\"event\":\"created\",\"channel\":\"email\"}\n";

class AuditCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KpiRun gen = RunKpi({"gen", "--tickets", "200", "--days", "10", "--seed", "5", "--out", "ev.ndjson", "-q"},
                        dir_.path());
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    KpiRun ingest = RunKpi({"ingest", "--db", "store", "ev.ndjson", "-q"}, dir_.path());
    ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
    KpiRun define = Query({"define kpi fast = rate(duration(created -> agent_reply) <= 5m)"});
    ASSERT_EQ(define.exit_code, 0) << define.err;
  }
  KpiRun Query(std::vector<std::string> extra) {
    std::vector<std::string> args = {"query", "--db", "store"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunKpi(args, dir_.path());
  }
  KpiRun Verify(const std::string& file) { return RunKpi({"audit", "verify", "--db", "store", file}, dir_.path()); }
  // Runs kStatement as JSON, saves it to `file` and returns the document.
  json SaveResult(const std::string& file) {
    KpiRun run = Query({kStatement, "--format", "json"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    WriteFile(dir_ / file, run.out);
    return json::parse(run.out);
  }
  ScratchDir dir_{"kpi-cli-audit"};
};

// The result hash of a document's columns and rows, computed the way
// docs/provenance.md describes (cells re-rendered in the JSON rendering).
std::string HashOfDocument(const json& doc) {
  std::string text = "[";
  for (size_t c = 0; c < doc["columns"].size(); ++c) {
    if (c > 0) text += ',';
    text += query::JsonString(doc["columns"][c]["name"].get<std::string>());
  }
  text += ']';
  for (const json& row : doc["rows"]) {
    text += "\n[";
    for (size_t c = 0; c < row.size(); ++c) {
      if (c > 0) text += ',';
      const json& v = row[c];
      if (v.is_null()) {
        text += "null";
      } else if (v.is_boolean()) {
        text += v.get<bool>() ? "true" : "false";
      } else if (v.is_number()) {
        query::AppendJsonNumber(&text, v.get<double>());
      } else {
        text += query::JsonString(v.get<std::string>());
      }
    }
    text += ']';
  }
  return query::Xxh3Hex128(text);
}

TEST_F(AuditCliTest, JsonResultsCarryProvenance) {
  json doc = SaveResult("r.json");
  ASSERT_TRUE(doc.contains("provenance")) << doc.dump();
  const json& p = doc["provenance"];
  EXPECT_EQ(p["statement"], kStatement);
  EXPECT_TRUE(std::regex_match(p["result_hash"].get<std::string>(), std::regex("[0-9a-f]{32}"))) << p.dump();
  EXPECT_EQ(p["result_hash"], HashOfDocument(doc));
  EXPECT_GT(p["as_of_ms"].get<int64_t>(), 0);
  EXPECT_EQ(p["as_of"], query::Rfc3339InZone(p["as_of_ms"].get<int64_t>(), "UTC"));
  bool uses_fast = false;
  for (const json& d : p["definitions"]) {
    if (d["kind"] == "kpi" && d["name"] == "fast") uses_fast = true;
    EXPECT_EQ(d["version"], query::Rfc3339InZone(d["version_ms"].get<int64_t>(), "UTC")) << d.dump();
  }
  EXPECT_TRUE(uses_fast) << p.dump();
  // The same statement again gives the same hash.
  EXPECT_EQ(SaveResult("again.json")["provenance"]["result_hash"], p["result_hash"]);
}

TEST_F(AuditCliTest, ProvenanceFlagPrintsTheBlockOnStderr) {
  KpiRun run = Query({kStatement, "--format", "csv", "--provenance"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.find("provenance"), std::string::npos) << run.out;  // stdout stays a clean CSV
  EXPECT_NE(run.err.find("provenance:\n  as of:       "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("  definition:  kpi fast, version "), std::string::npos) << run.err;
  EXPECT_TRUE(std::regex_search(run.err, std::regex("  result hash: [0-9a-f]{32}\n"))) << run.err;
}

TEST_F(AuditCliTest, VerifiesAfterLateEventsAndARedefinition) {
  json saved = SaveResult("r.json");
  const std::string hash = saved["provenance"]["result_hash"];
  KpiRun ok = Verify("r.json");
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("verified: hash " + hash + " matches ("), std::string::npos) << ok.out;

  WriteFile(dir_ / "late.ndjson", kLateEvents);
  KpiRun late = RunKpi({"ingest", "--db", "store", "late.ndjson", "-q"}, dir_.path());
  ASSERT_EQ(late.exit_code, 0) << late.err;
  KpiRun redefine = Query({"define kpi fast = rate(duration(created -> agent_reply) <= 1m)"});
  ASSERT_EQ(redefine.exit_code, 0) << redefine.err;
  // Today's answer is different...
  EXPECT_NE(SaveResult("today.json")["provenance"]["result_hash"], hash);
  // ...and the saved one still verifies as of its instant.
  KpiRun still = Verify("r.json");
  EXPECT_EQ(still.exit_code, 0) << still.out << still.err;
  EXPECT_NE(still.out.find("verified: hash " + hash), std::string::npos) << still.out;
}

TEST_F(AuditCliTest, AChangedRowFailsWithTheFirstDifferingRow) {
  json doc = SaveResult("r.json");
  ASSERT_GE(doc["rows"].size(), 2u);
  const std::string original_row = doc["rows"][1].dump();
  doc["rows"][1][1] = doc["rows"][1][1].get<int64_t>() + 1;  // one more ticket in the second group
  doc["provenance"]["result_hash"] = HashOfDocument(doc);     // a consistent forgery: only a rerun exposes it
  WriteFile(dir_ / "forged.json", doc.dump());
  KpiRun run = Verify("forged.json");
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("not verified"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("the rerun hashes to"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("first differing row: row 2 "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("  saved: " + doc["rows"][1].dump()), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("  now:   " + original_row), std::string::npos) << run.out;

  // Rows edited without touching the hash: the saved rows no longer match it.
  json edited = SaveResult("r2.json");
  edited["rows"][0][1] = edited["rows"][0][1].get<int64_t>() + 7;
  WriteFile(dir_ / "edited.json", edited.dump(2));  // pretty-printed: layout does not matter
  KpiRun run2 = Verify("edited.json");
  EXPECT_EQ(run2.exit_code, 1) << run2.out << run2.err;
  EXPECT_NE(run2.out.find("the file was edited"), std::string::npos) << run2.out;
  EXPECT_NE(run2.out.find("first differing row: row 1 "), std::string::npos) << run2.out;
}

// A result file whose statement was changed to one that writes (`drop kpi`,
// `define kpi`) is refused, not run: verifying only reads the store. It used
// to run the statement (the KPI was dropped, another defined).
TEST_F(AuditCliTest, AStatementThatWritesIsNotRun) {
  json doc = SaveResult("r.json");
  for (const char* statement : {"drop kpi fast", "define kpi evil = 1", "define target fast >= 50%"}) {
    doc["provenance"]["statement"] = statement;
    WriteFile(dir_ / "crafted.json", doc.dump());
    KpiRun run = Verify("crafted.json");
    EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
    EXPECT_NE(run.out.find("not a select or an evaluate; nothing was run"), std::string::npos) << run.out;
  }
  KpiRun kpis = Query({"show kpis", "--format", "csv"});
  EXPECT_NE(kpis.out.find("fast,"), std::string::npos) << kpis.out;
  EXPECT_EQ(kpis.out.find("evil"), std::string::npos) << kpis.out;
  KpiRun targets = Query({"show targets", "--format", "csv"});
  EXPECT_EQ(targets.out.find("fast"), std::string::npos) << targets.out;
}

TEST_F(AuditCliTest, BadInputExitsTwo) {
  WriteFile(dir_ / "broken.json", "{\"columns\":[");
  KpiRun broken = Verify("broken.json");
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.err.find("not JSON"), std::string::npos) << broken.err;

  WriteFile(dir_ / "plain.json", "{\"columns\":[],\"rows\":[]}");
  KpiRun plain = Verify("plain.json");
  EXPECT_EQ(plain.exit_code, 2);
  EXPECT_NE(plain.err.find("no provenance"), std::string::npos) << plain.err;

  EXPECT_EQ(Verify("missing.json").exit_code, 2);
  SaveResult("r.json");
  EXPECT_EQ(RunKpi({"audit", "verify", "--db", "nowhere", "r.json"}, dir_.path()).exit_code, 2);
}

// A relative window is read against now: provenance keeps that instant and
// what the window resolved to, and verify reads the window again at it, not
// at the clock of the rerun (where `last 3d` would be empty).
TEST_F(AuditCliTest, RelativeWindowsVerifyAgainstTheNowTheyWereReadAt) {
  const std::string statement = "select count() as n from tickets during last 3d by channel";
  KpiRun run = Query({statement, "--now", "2025-01-08T12:00:00Z", "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json doc = json::parse(run.out);
  ASSERT_FALSE(doc["rows"].empty());
  const json& p = doc["provenance"];
  EXPECT_EQ(p["now"], "2025-01-08T12:00:00Z");
  ASSERT_EQ(p["windows"].size(), 1u);
  EXPECT_EQ(p["windows"][0]["during"], "last 3d");
  EXPECT_EQ(p["windows"][0]["start"], "2025-01-05T12:00:00Z");
  EXPECT_EQ(p["windows"][0]["end"], "2025-01-08T12:00:00Z");
  WriteFile(dir_ / "relative.json", run.out);
  KpiRun ok = Verify("relative.json");
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;

  KpiRun today = Query({statement, "--format", "json"});
  ASSERT_EQ(today.exit_code, 0) << today.err;
  EXPECT_TRUE(json::parse(today.out)["rows"].empty()) << "the generated data is long past: now, the window is empty";

  KpiRun shown = Query({statement, "--now", "2025-01-08T12:00:00Z", "--provenance"});
  EXPECT_NE(shown.err.find("  window:      last 3d = 2025-01-05T12:00:00Z .. 2025-01-08T12:00:00Z"), std::string::npos)
      << shown.err;
  KpiRun bad = Query({statement, "--now", "yesterday"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--now must be an RFC 3339 instant"), std::string::npos) << bad.err;
}

TEST_F(AuditCliTest, OneDocumentPerLineFiles) {
  // A script's output: a definition's document, then the select's.
  KpiRun run = Query({std::string("define kpi other = count(); ") + kStatement, "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  WriteFile(dir_ / "script.json", run.out);
  KpiRun ok = Verify("script.json");
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
}

}  // namespace
}  // namespace kpi::testing
