// End-to-end tests of `kpi query` and `kpi repl` (piped), running the real
// binary over a generated store.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <regex>
#include <sstream>
#include <string>

#include "cli_test_util.h"
#include "test_util.h"

namespace kpi::testing {
namespace {

constexpr int kTickets = 300;

class QueryCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir("kpi-cli-query");
    KpiRun gen = RunKpi({"gen", "--tickets", std::to_string(kTickets), "--days", "20", "--seed", "11", "--out",
                         "ev.ndjson", "-q"},
                        dir_->path());
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    KpiRun ingest = RunKpi({"ingest", "--db", "store", "ev.ndjson", "-q"}, dir_->path());
    ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static KpiRun Query(std::vector<std::string> extra, const std::string& stdin_text = "", bool has_stdin = false) {
    std::vector<std::string> args = {"query", "--db", "store"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunKpi(args, dir_->path(), stdin_text, has_stdin);
  }
  static ScratchDir* dir_;
};

ScratchDir* QueryCliTest::dir_ = nullptr;

// Sum of the integer column `column` of a CSV body (header skipped).
long long SumCsvColumn(const std::string& csv, size_t column) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  long long sum = 0;
  while (std::getline(in, line)) {
    if (line.empty()) break;
    std::vector<std::string> cells;
    std::stringstream ls(line);
    std::string cell;
    while (std::getline(ls, cell, ',')) cells.push_back(cell);
    if (column < cells.size()) sum += std::stoll(cells[column]);
  }
  return sum;
}

TEST_F(QueryCliTest, CsvCountsEveryTicketOnce) {
  KpiRun run = Query({"select count() as tickets from tickets by channel", "--format", "csv"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.rfind("channel,tickets\n", 0), 0u) << run.out;
  EXPECT_EQ(SumCsvColumn(run.out, 1), kTickets) << run.out;
}

TEST_F(QueryCliTest, TableAndJsonFormats) {
  KpiRun table = Query({"select count() as tickets from tickets"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("tickets\n-------\n    " + std::to_string(kTickets) + "\n(1 row)\n"), std::string::npos)
      << table.out;

  KpiRun json = Query({"select count() as tickets from tickets", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"columns\":[{\"name\":\"tickets\",\"type\":\"number\"}]"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"rows\":[[" + std::to_string(kTickets) + "]]"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"stats\":{"), std::string::npos);
}

TEST_F(QueryCliTest, DurationsAreSecondsInCsvAndReadableInTables) {
  const std::string q = "select max(duration(created -> resolved)) as longest from tickets";
  KpiRun csv = Query({q, "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(csv.out, m, std::regex("longest\n([0-9.]+)\n"))) << csv.out;
  EXPECT_GT(std::stod(m[1].str()), 60);
  KpiRun table = Query({q});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_TRUE(std::regex_search(table.out, std::regex("[0-9]+(d|h|m) [0-9]{2}(h|m|s)"))) << table.out;
}

TEST_F(QueryCliTest, ScriptErrorsPointIntoTheFile) {
  WriteFile(dir_->path() + "/report.kpi",
            "select count() as n from tickets;\n"
            "-- second statement\n"
            "select count() as n\n"
            "  from tickets where chanel = \"chat\";\n");
  KpiRun run = Query({"-f", "report.kpi", "--format", "csv"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "n\n" + std::to_string(kTickets) + "\n");  // the first statement ran
  EXPECT_NE(run.err.find("report.kpi: error: line 4, column 22"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("chanel"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("^"), std::string::npos) << run.err;
}

TEST_F(QueryCliTest, ParseErrorExitsOneAndStdinScripts) {
  KpiRun bad = Query({"select count( from tickets"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("line 1, column"), std::string::npos) << bad.err;

  KpiRun piped = Query({"-f", "-", "--format", "csv"}, "select count() as n from tickets;\n", true);
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.out, "n\n" + std::to_string(kTickets) + "\n");
}

TEST_F(QueryCliTest, UsageErrors) {
  EXPECT_EQ(Query({}).exit_code, 2);  // neither text nor -f
  EXPECT_EQ(Query({"select 1", "-f", "x.kpi"}).exit_code, 2);
  EXPECT_EQ(Query({"-f", "missing.kpi"}).exit_code, 2);
  EXPECT_EQ(Query({"select count() from tickets", "--format", "xml"}).exit_code, 2);
  KpiRun no_store = RunKpi({"query", "--db", "nowhere", "select count() from tickets"}, dir_->path());
  EXPECT_EQ(no_store.exit_code, 2);
  EXPECT_NE(no_store.err.find("no store at nowhere"), std::string::npos) << no_store.err;
  // A directory of other files (an application's app.log among them) is no
  // store: refused as such, not as a store missing its CURRENT file.
  ::mkdir((dir_->path() + "/junk").c_str(), 0755);
  WriteFile(dir_->path() + "/junk/app.log", "not a write-ahead log\n");
  WriteFile(dir_->path() + "/junk/notes.txt", "x\n");
  KpiRun junk = RunKpi({"query", "--db", "junk", "select count() from tickets"}, dir_->path());
  EXPECT_EQ(junk.exit_code, 2);
  EXPECT_NE(junk.err.find("junk is not a kpistore store"), std::string::npos) << junk.err;
  EXPECT_EQ(junk.err.find("CURRENT file is missing"), std::string::npos) << junk.err;
}

TEST_F(QueryCliTest, ControlCharactersOfTheStatementAreNotEchoed) {
  KpiRun bad = Query({"select count() from tickets where \x1b[31mchannel\x01 = 1"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err.find('\x1b'), std::string::npos) << bad.err;
  EXPECT_EQ(bad.err.find('\x01'), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("where ?[31mchannel?"), std::string::npos) << bad.err;
}

// The column counts characters and the caret sits under the offending word
// after CJK text (two cells a character) and tabs, in a -f script's second
// statement too.
TEST_F(QueryCliTest, CaretLinesUpAfterWideCharacters) {
  KpiRun bad = Query({"select count() from tickets where channel = \"漢字漢字\" and chanel = 1"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("line 1, column 56: unknown column 'chanel'"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("\n  select count() from tickets where channel = \"漢字漢字\" and chanel = 1\n" +
                         std::string(2 + 59, ' ') + "^"),
            std::string::npos)
      << bad.err;
  WriteFile(dir_->path() + "/q.kpi", "select count() from tickets;\tselect \"名前\" as n, count() frm tickets\n");
  KpiRun script = RunKpi({"query", "--db", "store", "-f", "q.kpi"}, dir_->path());
  EXPECT_EQ(script.exit_code, 1);
  EXPECT_NE(script.err.find("line 1, column 56: expected"), std::string::npos) << script.err;
  // The first statement is blanked out to spaces, a character each.
  EXPECT_NE(script.err.find("\n" + std::string(2 + 29, ' ') + "select \"名前\" as n, count() frm tickets\n" +
                            std::string(2 + 29 + 28, ' ') + "^"),
            std::string::npos)
      << script.err;
}

// An endless or huge input is an error, not an exhausted machine: -f
// /dev/zero read until memory ran out (800 MB within 4 s), and a piped REPL
// line with no newline, or a statement with no ';', grew without bound.
TEST_F(QueryCliTest, EndlessInputsAreBounded) {
  KpiRun zeros = Query({"-f", "/dev/zero"});
  EXPECT_EQ(zeros.exit_code, 2);
  EXPECT_NE(zeros.err.find("/dev/zero holds more than 64.0 MB, the most this command reads"), std::string::npos)
      << zeros.err;
  const std::string n = std::to_string(kTickets);
  KpiRun repl = RunKpi({"repl", "--db", "store", "--format", "csv"}, dir_->path(),
                       std::string(3 << 20, 'x') + "\nselect count() as n from tickets;\n" +
                           std::string(20000, 'y') + "\n" + std::string(2 << 20, '\n') ,
                       true);
  EXPECT_EQ(repl.exit_code, 1) << repl.err;
  EXPECT_NE(repl.err.find("error: statement longer than 1.00 MB: dropped"), std::string::npos) << repl.err;
  EXPECT_NE(repl.out.find("n\n" + n + "\n"), std::string::npos) << repl.out;  // the session went on
}

TEST_F(QueryCliTest, ReplReadsStatementsFromAPipe) {
  const std::string n = std::to_string(kTickets);
  KpiRun run = RunKpi({"repl", "--db", "store"}, dir_->path(),
                      "-- a comment line\n"
                      "select count() as n\n"
                      "from tickets;\n"
                      ".format json\n"
                      "select count() as n from tickets; select bogus from tickets;\n"
                      ".format csv\n"
                      "select count() as n from tickets\n",
                      true);
  EXPECT_EQ(run.exit_code, 1) << run.err;  // `bogus` failed; the session went on
  EXPECT_NE(run.out.find("n\n---\n" + n + "\n(1 row)\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\"rows\":[[" + n + "]]"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("n\n" + n + "\n"), std::string::npos) << run.out;  // the last, unterminated statement
  EXPECT_NE(run.err.find("bogus"), std::string::npos) << run.err;
  EXPECT_EQ(run.out.find("kpi>"), std::string::npos) << "no prompts when piped";
}

TEST_F(QueryCliTest, ReplCommandsAndQuit) {
  KpiRun run = RunKpi({"repl", "--db", "store"}, dir_->path(),
                      ".help\n.timer on\n.format csv\nselect count() as n from tickets;\n.quit\nselect nothing;\n",
                      true);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find(".format table|csv|json"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("n\n" + std::to_string(kTickets) + "\n"), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("time: "), std::string::npos) << run.err;  // .timer on
  EXPECT_EQ(run.err.find("nothing"), std::string::npos) << "nothing runs after .quit";

  KpiRun bad = RunKpi({"repl", "--db", "store"}, dir_->path(), ".format xml\n", true);
  EXPECT_EQ(bad.exit_code, 1);
}

}  // namespace
}  // namespace kpi::testing
