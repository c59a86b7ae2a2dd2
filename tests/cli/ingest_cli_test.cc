// End-to-end tests of `kpi gen`, `kpi ingest` and `kpi info`, running the
// real binary.
#include <sys/resource.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "cli_test_util.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::testing {
namespace {

// Three good events around four bad lines (broken JSON, missing ts, year
// 20250, a text where a number was) and one store-level reject (a measure
// used where `channel` is a dimension).
const char* kMixedFile =
    "{\"ts\":\"2025-03-01T08:15:02.123Z\",\"ticket\":\"X1\",\"event\":\"created\",\"channel\":\"chat\"}\n"
    "{\"ts\":\"2025-03-01T08:15:02.123Z\",\"ticket\":\"X1\",\n"
    "{\"ticket\":\"X2\",\"event\":\"created\"}\n"
    "\n"
    "{\"ts\":\"20250-03-01T08:15:02Z\",\"ticket\":\"X3\",\"event\":\"created\"}\n"
    "{\"ts\":\"2025-03-01T09:15:02.123Z\",\"ticket\":\"X1\",\"event\":\"rated\",\"csat\":\"five\"}\n"
    "{\"ts\":\"2025-03-01T09:15:03Z\",\"ticket\":\"X1\",\"event\":\"rated\",\"channel\":5}\n"
    "{\"ts\":\"2025-03-01T10:15:02.123Z\",\"ticket\":\"X1\",\"event\":\"resolved\",\"agent\":\"a1\"}\n"
    "{\"ts\":\"2025-03-01T11:00:00Z\",\"ticket\":\"X1\",\"event\":\"rated\",\"csat\":5}\n";

class IngestCliTest : public ::testing::Test {
 protected:
  ScratchDir dir_{"kpi-cli"};
  std::string Path(const std::string& name) const { return dir_ / name; }
};

TEST_F(IngestCliTest, GenIngestThenReingestIsAllDuplicates) {
  KpiRun gen = RunKpi({"gen", "--tickets", "300", "--days", "10", "--seed", "7", "--out", "ev.ndjson"}, dir_.path());
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const std::string data = ReadFile(Path("ev.ndjson"));
  const long long lines = std::count(data.begin(), data.end(), '\n');
  ASSERT_GT(lines, 300);

  KpiRun first = RunKpi({"ingest", "--db", "store", "ev.ndjson"}, dir_.path());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(SummaryField(first.out, "accepted"), lines) << first.out;
  EXPECT_EQ(SummaryField(first.out, "rejected"), 0);
  EXPECT_EQ(SummaryField(first.out, "lines"), lines);
  EXPECT_EQ(StoredEvents("store", dir_.path()), lines);

  KpiRun again = RunKpi({"ingest", "--db", "store", "ev.ndjson"}, dir_.path());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(SummaryField(again.out, "accepted"), 0) << again.out;
  EXPECT_EQ(SummaryField(again.out, "duplicates"), lines);
  EXPECT_EQ(StoredEvents("store", dir_.path()), lines);
}

TEST_F(IngestCliTest, GenIsDeterministicAndWritesToStdout) {
  KpiRun a = RunKpi({"gen", "--tickets", "50", "--days", "3", "--out", "-", "--quiet"}, dir_.path());
  KpiRun b = RunKpi({"gen", "--tickets", "50", "--days", "3", "--out", "-", "--quiet"}, dir_.path());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_FALSE(a.out.empty());
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.err, "");
  KpiRun bad = RunKpi({"gen", "--tickets", "0", "--out", "-"}, dir_.path());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("tickets"), std::string::npos) << bad.err;
  KpiRun bad_start = RunKpi({"gen", "--start", "2025-13-45", "--out", "-"}, dir_.path());
  EXPECT_EQ(bad_start.exit_code, 2);
  // A negative count is named as typed, not as the 2^64 - 1 it would wrap to.
  for (const char* option : {"--tickets", "--agents", "--days"}) {
    KpiRun negative = RunKpi({"gen", option, "-1", "--out", "-"}, dir_.path());
    EXPECT_EQ(negative.exit_code, 2) << option;
    EXPECT_NE(negative.err.find(std::string(option) + ": must be a whole number, 0 or more (got -1)"),
              std::string::npos)
        << negative.err;
    EXPECT_EQ(negative.err.find("18446744073709551615"), std::string::npos) << negative.err;
  }
}

// `kpi info` counts the stored definitions and lists those that no longer
// read, with the warning `show` gives.
TEST_F(IngestCliTest, InfoListsUnreadableDefinitions) {
  ASSERT_EQ(RunKpi({"gen", "--tickets", "20", "--days", "2", "--out", "ev.ndjson", "-q"}, dir_.path()).exit_code, 0);
  ASSERT_EQ(RunKpi({"ingest", "--db", "s", "ev.ndjson", "-q"}, dir_.path()).exit_code, 0);
  KpiRun define = RunKpi({"query", "--db", "s", "define kpi volume = count()"}, dir_.path());
  ASSERT_EQ(define.exit_code, 0) << define.err;
  {
    // A calendar stored as another version would leave it: it no longer reads.
    std::unique_ptr<storage::Store> store;
    storage::StoreOptions options;
    options.create_if_missing = false;
    ASSERT_TRUE(storage::Store::Open(Path("s"), options, &store).ok());
    ASSERT_TRUE(
        store->WriteMeta({{"calendar", "broken", "calendar1\n" + std::to_string(store->NowMs()) + "\nnot a calendar"}})
            .ok());
  }
  KpiRun info = RunKpi({"info", "--db", "s"}, dir_.path());
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("definitions     1 kpis, 0 calendars"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find(", 1 unreadable (below)"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("  unreadable: calendar broken is stored but no longer reads"), std::string::npos)
      << info.out;
  EXPECT_NE(info.err.find("warning: calendar broken is stored but no longer reads"), std::string::npos) << info.err;
  KpiRun json = RunKpi({"info", "--db", "s", "--format", "json"}, dir_.path());
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"definitions\":{\"kpis\":1,\"calendars\":0,"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"unreadable\":[\"calendar broken is stored but no longer reads"), std::string::npos)
      << json.out;
}

TEST_F(IngestCliTest, BadLinesAreReportedWithFileAndLineAndGoodLinesStored) {
  WriteFile(Path("mixed.ndjson"), kMixedFile);
  KpiRun run = RunKpi({"ingest", "--db", "store", "mixed.ndjson", "--rejects", "rejects.txt"}, dir_.path());
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_EQ(SummaryField(run.out, "accepted"), 3) << run.out;
  EXPECT_EQ(SummaryField(run.out, "rejected"), 5) << run.out;
  for (const char* where : {"mixed.ndjson:2: ", "mixed.ndjson:3: ", "mixed.ndjson:5: ", "mixed.ndjson:6: ",
                            "mixed.ndjson:7: "}) {
    EXPECT_NE(run.err.find(where), std::string::npos) << where << "\n" << run.err;
  }
  EXPECT_NE(run.err.find("mixed.ndjson:5: \"ts\": year 20250"), std::string::npos) << run.err;
  const std::string rejects = ReadFile(Path("rejects.txt"));
  EXPECT_EQ(std::count(rejects.begin(), rejects.end(), '\n'), 5) << rejects;
  EXPECT_EQ(rejects.rfind("mixed.ndjson:2: ", 0), 0u) << rejects;
  EXPECT_NE(rejects.find("mixed.ndjson:7: \"channel\""), std::string::npos) << rejects;
  EXPECT_EQ(StoredEvents("store", dir_.path()), 3);
}

TEST_F(IngestCliTest, OnlyTheFirstTwentyRejectsAreShown) {
  std::string content;
  for (int i = 0; i < 30; ++i) content += "not json\n";
  content += "{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"X1\",\"event\":\"created\"}\n";
  WriteFile(Path("many.ndjson"), content);
  KpiRun run = RunKpi({"ingest", "--db", "store", "many.ndjson"}, dir_.path());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("many.ndjson:20: "), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("many.ndjson:21: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("... and 10 more"), std::string::npos) << run.err;
  EXPECT_EQ(StoredEvents("store", dir_.path()), 1);
}

TEST_F(IngestCliTest, MaxErrorsAbortsKeepingEarlierLines) {
  WriteFile(Path("mixed.ndjson"), kMixedFile);
  KpiRun run = RunKpi({"ingest", "--db", "store", "--max-errors", "1", "mixed.ndjson"}, dir_.path());
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_NE(run.err.find("aborted"), std::string::npos) << run.err;
  // Line 1 came before the second reject (line 3); nothing after it is stored.
  EXPECT_EQ(StoredEvents("store", dir_.path()), 1);

  KpiRun tolerant = RunKpi({"ingest", "--db", "store2", "--max-errors", "5", "mixed.ndjson"}, dir_.path());
  EXPECT_EQ(tolerant.exit_code, 1) << tolerant.err;
  EXPECT_EQ(StoredEvents("store2", dir_.path()), 3);
}

TEST_F(IngestCliTest, StdinAndGzipInputs) {
  KpiRun gen = RunKpi({"gen", "--tickets", "100", "--days", "5", "--out", "ev.ndjson", "-q"}, dir_.path());
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const std::string data = ReadFile(Path("ev.ndjson"));
  const long long lines = std::count(data.begin(), data.end(), '\n');

  KpiRun from_stdin = RunKpi({"ingest", "--db", "a", "-"}, dir_.path(), data, /*has_stdin=*/true);
  ASSERT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  EXPECT_EQ(SummaryField(from_stdin.out, "accepted"), lines);

  WriteGzip(Path("ev.ndjson.gz"), data);
  KpiRun gz = RunKpi({"ingest", "--db", "b", "ev.ndjson.gz"}, dir_.path());
  ASSERT_EQ(gz.exit_code, 0) << gz.err;
  EXPECT_EQ(SummaryField(gz.out, "accepted"), lines);
  EXPECT_EQ(StoredEvents("b", dir_.path()), lines);

  // The same events through stdin into the gzip-fed store: all duplicates.
  KpiRun dup = RunKpi({"ingest", "--db", "b", "-"}, dir_.path(), data, true);
  EXPECT_EQ(dup.exit_code, 0);
  EXPECT_EQ(SummaryField(dup.out, "duplicates"), lines) << dup.out;
}

TEST_F(IngestCliTest, StdinRejectsNameStdin) {
  KpiRun run = RunKpi({"ingest", "--db", "s", "-"}, dir_.path(), "oops\n", true);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("<stdin>:1: "), std::string::npos) << run.err;
}

TEST_F(IngestCliTest, CsvWithExtraMeasures) {
  WriteFile(Path("events.csv"),
            "ts,ticket,event,agent,channel,wait\n"
            "2025-03-01T08:00:00Z,C1,created,,phone,12\n"
            "2025-03-01T08:05:00Z,C1,agent_reply,a1,,\n");
  KpiRun run = RunKpi({"ingest", "--db", "s", "--measures", "wait,other", "events.csv"}, dir_.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(SummaryField(run.out, "accepted"), 2);
  KpiRun info = RunKpi({"info", "--db", "s"}, dir_.path());
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("measure:wait"), std::string::npos) << info.out;
  EXPECT_EQ(info.out.find("dim:wait"), std::string::npos) << info.out;
}

TEST_F(IngestCliTest, SmallBatchesAndSealsGiveTheSameStore) {
  KpiRun gen = RunKpi({"gen", "--tickets", "200", "--days", "4", "--shuffle", "--out", "ev.ndjson", "-q"},
                      dir_.path());
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const std::string data = ReadFile(Path("ev.ndjson"));
  const long long lines = std::count(data.begin(), data.end(), '\n');
  KpiRun run = RunKpi({"ingest", "--db", "s", "--batch", "97", "--seal-events", "300", "--no-sync", "ev.ndjson"},
                      dir_.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(SummaryField(run.out, "accepted"), lines);
  EXPECT_EQ(StoredEvents("s", dir_.path()), lines);
}

TEST_F(IngestCliTest, UsageAndIoErrorsExitTwo) {
  WriteFile(Path("good.ndjson"), "{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"X1\",\"event\":\"created\"}\n");
  KpiRun missing = RunKpi({"ingest", "--db", "s", "nope.ndjson", "good.ndjson"}, dir_.path());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nope.ndjson"), std::string::npos) << missing.err;
  EXPECT_EQ(StoredEvents("s", dir_.path()), 1);  // the readable input is still ingested

  EXPECT_EQ(RunKpi({"ingest", "--db", "s"}, dir_.path()).exit_code, 2);
  EXPECT_EQ(RunKpi({"ingest", "--db", "s", "--format", "xml", "good.ndjson"}, dir_.path()).exit_code, 2);
  EXPECT_EQ(RunKpi({"ingest", "--db", "s", "--batch", "0", "good.ndjson"}, dir_.path()).exit_code, 2);
  EXPECT_EQ(RunKpi({"ingest", "--db", "s", "--batch", "100000000000", "good.ndjson"}, dir_.path()).exit_code, 2);
  EXPECT_EQ(RunKpi({"frobnicate"}, dir_.path()).exit_code, 2);
  EXPECT_EQ(RunKpi({}, dir_.path()).exit_code, 2);
  EXPECT_EQ(RunKpi({"--help"}, dir_.path()).exit_code, 0);
}

// `--db` naming a directory of other files: ingest refuses (it used to put a
// store beside them), changes nothing, and names what it found; the reading
// commands call it no store. An empty directory still gets a new store.
TEST_F(IngestCliTest, DirectoryOfOtherFilesIsNoPlaceForAStore) {
  WriteFile(Path("good.ndjson"), "{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"X1\",\"event\":\"created\"}\n");
  ::mkdir(Path("home").c_str(), 0755);
  WriteFile(Path("home/notes.txt"), "mine\n");
  KpiRun ingest = RunKpi({"ingest", "--db", "home", "good.ndjson"}, dir_.path());
  EXPECT_EQ(ingest.exit_code, 2);
  EXPECT_NE(ingest.err.find("home is not a kpistore store (it holds notes.txt, and no CURRENT file): refusing to "
                            "create a store in it; nothing was changed"),
            std::string::npos)
      << ingest.err;
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(Path("home"))) entries += e.exists() ? 1 : 0;
  EXPECT_EQ(entries, 1u);
  EXPECT_EQ(ReadFile(Path("home/notes.txt")), "mine\n");
  KpiRun info = RunKpi({"info", "--db", "home"}, dir_.path());
  EXPECT_EQ(info.exit_code, 2);
  EXPECT_NE(info.err.find("home is not a kpistore store (it holds notes.txt"), std::string::npos) << info.err;
  ::mkdir(Path("empty").c_str(), 0755);
  EXPECT_EQ(RunKpi({"ingest", "--db", "empty/", "good.ndjson", "-q"}, dir_.path()).exit_code, 0);
  EXPECT_EQ(StoredEvents("empty", dir_.path()), 1);
}

// `kpi info` pads dimension and column names by terminal cells (two for a
// CJK character): it padded by bytes (three a character), so the counts
// after a CJK name stood out of line.
TEST_F(IngestCliTest, InfoAlignsWideNames) {
  WriteFile(Path("cj.ndjson"),
            "{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"X1\",\"event\":\"created\",\"渠道\":\"电话\","
            "\"channel\":\"chat\"}\n");
  ASSERT_EQ(RunKpi({"ingest", "--db", "s", "cj.ndjson", "-q"}, dir_.path()).exit_code, 0);
  KpiRun info = RunKpi({"info", "--db", "s"}, dir_.path());
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("\n  渠道     1\n  channel  1\n"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("\n  dim:channel  "), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("\n  dim:渠道     "), std::string::npos) << info.out;
}

// Issue 9: one unbalanced quote before 100k good rows costs that line only,
// reported with its file:line (HTTP uploads share the reader).
TEST_F(IngestCliTest, UnbalancedCsvQuoteCostsOneLine) {
  std::string text = "ts,ticket,event,channel\n2025-03-01T08:00:00Z,T0,created,\"chat\n";
  for (int i = 1; i <= 100000; ++i) text += "2025-03-01T08:00:00Z,T" + std::to_string(i) + ",created,email\n";
  WriteFile(Path("quote.csv"), text);
  KpiRun run = RunKpi({"ingest", "-q", "--db", "s", "quote.csv"}, dir_.path());
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_EQ(SummaryField(run.out, "accepted"), 100000) << run.out;
  EXPECT_EQ(SummaryField(run.out, "rejected"), 1) << run.out;
  EXPECT_NE(run.err.find("quote.csv:2: unterminated quoted field 4 (unbalanced quote"), std::string::npos) << run.err;
  EXPECT_EQ(StoredEvents("s", dir_.path()), 100000);
}

// Hostile key names and values: a NUL in a dimension's name cut `kpi info`
// short (it printed a C string), and one in an event name cut the reject's
// reason; both now show the control character escaped and go on.
TEST_F(IngestCliTest, ControlCharactersInNamesDoNotCutOutput) {
  WriteFile(Path("e.ndjson"),
            "{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"X1\",\"event\":\"created\",\"chan\\u0000nel\":\"x\"}\n"
            "{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"X2\",\"event\":\"crea\\u0000ted\"}\n");
  KpiRun run = RunKpi({"ingest", "--db", "s", "e.ndjson"}, dir_.path());
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("e.ndjson:2: \"event\": \"crea\\u0000ted\" is not an identifier"), std::string::npos)
      << run.err;
  KpiRun info = RunKpi({"info", "--db", "s"}, dir_.path());
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(info.out.find('\0'), std::string::npos);
  EXPECT_NE(info.out.find("  chan?nel  1\n"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("caches (this process)"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("dim:chan?nel"), std::string::npos) << info.out;
}

// An input file name holding an escape sequence is not echoed raw to the
// terminal in its file:line messages (it was: the terminal obeyed it).
TEST_F(IngestCliTest, ControlCharactersInFileNamesAreNotEchoed) {
  WriteFile(Path("evil\x1b[31mname.ndjson"), "not json\n");
  KpiRun run = RunKpi({"ingest", "--db", "s", "evil\x1b[31mname.ndjson"}, dir_.path());
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_EQ(run.err.find('\x1b'), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("evil?[31mname.ndjson:1: "), std::string::npos) << run.err;
}

// A file size limit (ulimit -f) reached while staging: the write fails with
// EFBIG and the ingest says so (exit 2), where SIGXFSZ used to kill kpi
// without a word (exit 153); the events stored before are intact.
TEST_F(IngestCliTest, FileSizeLimitFailsWithAMessage) {
  WriteFile(Path("first.ndjson"), "{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"X1\",\"event\":\"created\"}\n");
  ASSERT_EQ(RunKpi({"ingest", "--db", "s", "first.ndjson"}, dir_.path()).exit_code, 0);
  ASSERT_EQ(RunKpi({"gen", "--tickets", "2000", "--out", "ev.ndjson", "-q"}, dir_.path()).exit_code, 0);
  struct rlimit old;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  struct rlimit small = old;
  small.rlim_cur = 256 * 1024;  // the first staged batch's log write passes it
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  KpiRun run = RunKpi({"ingest", "--db", "s", "ev.ndjson"}, dir_.path());
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &old), 0);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("File too large"), std::string::npos) << run.err;
  EXPECT_EQ(StoredEvents("s", dir_.path()), 1);
}

TEST_F(IngestCliTest, InfoReportsCountsAndRefusesMissingStores) {
  WriteFile(Path("e.ndjson"),
            "{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"X1\",\"event\":\"created\",\"team\":\"billing\"}\n"
            "{\"ts\":\"2025-03-02T08:15:02Z\",\"ticket\":\"X1\",\"event\":\"resolved\",\"agent\":\"a7\"}\n");
  ASSERT_EQ(RunKpi({"ingest", "--db", "s", "e.ndjson"}, dir_.path()).exit_code, 0);
  KpiRun table = RunKpi({"info", "--db", "s"}, dir_.path());
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("2025-03-01T08:15:02.000Z .. 2025-03-02T08:15:02.000Z"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("bytes/event"), std::string::npos);
  KpiRun json = RunKpi({"info", "--db", "s", "--format", "json"}, dir_.path());
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_NE(json.out.find("\"tickets\":1"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"events\":2"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"team\":1"), std::string::npos) << json.out;

  KpiRun missing = RunKpi({"info", "--db", "no-such-store"}, dir_.path());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no store at no-such-store"), std::string::npos) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(Path("no-such-store")));
}

}  // namespace
}  // namespace kpi::testing
