// LookupTable: building from CSV (types, nulls, dictionaries, key lookup),
// every load error with its line, the stored form (round trip, corruption)
// and a million-row build.
#include "query/catalog/lookup_table.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <random>

namespace kpi::query {
namespace {

constexpr const char* kAgents =
    "agent,role,site,score,aht_limit,since,note\n"
    "a1,frontline,Shanghai,4.5,15m,2024-01-03,\n"
    "a2,frontline,,3.9,20m,2023-11-20,\"on leave, back in May\"\n"
    "a7,lead,Berlin,,,2022-06-01,\n"
    "b3,frontline,Berlin,90%,1h,2025-02-11,\n";

LookupTable Build(std::string_view csv, const std::string& key = "agent") {
  LookupTable t;
  Status s = BuildLookupTable(csv, "agents.csv", key, &t);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return t;
}

std::string BuildError(std::string_view csv, const std::string& key = "agent") {
  LookupTable t;
  Status s = BuildLookupTable(csv, "agents.csv", key, &t);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << csv;
  EXPECT_EQ(t.rows, 0u);
  EXPECT_TRUE(t.columns.empty());
  return s.message();
}

TEST(LookupTableTest, TypesNullsAndDictionaries) {
  LookupTable t = Build(kAgents);
  ASSERT_EQ(t.rows, 4u);
  ASSERT_EQ(t.columns.size(), 7u);
  EXPECT_EQ(t.key_column, 0u);
  EXPECT_EQ(DescribeLookupTable(t),
            "key=agent rows=4 columns=agent:string,role:string,site:string,score:number,aht_limit:number,"
            "since:string,note:string");
  const int role = t.ColumnIndex("role"), site = t.ColumnIndex("site"), score = t.ColumnIndex("score");
  const int aht = t.ColumnIndex("aht_limit"), note = t.ColumnIndex("note");
  EXPECT_EQ(t.ColumnIndex("nope"), -1);
  // Dictionary coding: codes in order of first appearance, 0 = null.
  EXPECT_EQ(t.columns[role].codes, (std::vector<uint32_t>{1, 1, 2, 1}));
  EXPECT_EQ(t.columns[role].dictionary.ids(), (std::vector<std::string>{"frontline", "lead"}));
  EXPECT_EQ(t.columns[site].codes, (std::vector<uint32_t>{1, 0, 2, 2}));
  EXPECT_TRUE(t.IsNull(site, 1));
  EXPECT_EQ(t.Text(site, 2), "Berlin");
  EXPECT_EQ(t.Text(site, 1), "");
  EXPECT_EQ(t.Text(note, 1), "on leave, back in May");
  // Numbers: durations in seconds, percentages as fractions, NaN = null.
  EXPECT_DOUBLE_EQ(t.columns[score].numbers[0], 4.5);
  EXPECT_DOUBLE_EQ(t.columns[score].numbers[3], 0.9);
  EXPECT_TRUE(t.IsNull(score, 2));
  EXPECT_DOUBLE_EQ(t.columns[aht].numbers[0], 900);
  EXPECT_DOUBLE_EQ(t.columns[aht].numbers[3], 3600);
  // A column of only empty cells is a string column of nulls.
  EXPECT_EQ(t.columns[note].type, TableColumnType::kString);
  EXPECT_TRUE(t.IsNull(note, 0));

  EXPECT_EQ(t.FindRow("a1"), 0);
  EXPECT_EQ(t.FindRow("a7"), 2);
  EXPECT_EQ(t.FindRow("b3"), 3);
  EXPECT_EQ(t.FindRow("zz"), -1);
  EXPECT_EQ(t.FindRow(1.0), -1);  // a string key column never matches a number
}

TEST(LookupTableTest, NumberKeysAndLeadingNulls) {
  LookupTable t = Build("id,limit,label\n30,,\n10,5m,x\n20,,y\n-4,1,\n", "id");
  ASSERT_EQ(t.rows, 4u);
  EXPECT_EQ(t.key().type, TableColumnType::kNumber);
  EXPECT_EQ(t.FindRow(10.0), 1);
  EXPECT_EQ(t.FindRow(30.0), 0);
  EXPECT_EQ(t.FindRow(-4.0), 3);
  EXPECT_EQ(t.FindRow(11.0), -1);
  EXPECT_EQ(t.FindRow("10"), -1);  // strict: a text never matches a number key
  // Nulls before the first typed cell are back-filled with the column's null.
  EXPECT_TRUE(t.IsNull(1, 0));
  EXPECT_DOUBLE_EQ(t.columns[1].numbers[1], 300);
  EXPECT_EQ(t.columns[2].codes, (std::vector<uint32_t>{0, 1, 2, 0}));
}

TEST(LookupTableTest, HeaderOnlyAndBlankHeaderNames) {
  LookupTable t = Build("agent, role \n");
  EXPECT_EQ(t.rows, 0u);
  EXPECT_EQ(t.columns[1].name, "role");  // blanks around header names are dropped
  EXPECT_EQ(t.FindRow("a1"), -1);
  EXPECT_EQ(DescribeLookupTable(Build("agent,\"first name\"\nx,y\n")),
            "key=agent rows=1 columns=agent:string,\"first name\":string");
}

TEST(LookupTableTest, EveryLoadErrorNamesTheLine) {
  struct Case {
    std::string csv;
    std::string key;
    std::string message;  // the whole message, or its start when ending in "..."
  } cases[] = {
      {"", "agent", "agents.csv: no header line: the input is empty"},
      {"\n\n", "agent", "agents.csv: no header line: the input is empty"},
      {"agent,,role\n", "agent", "agents.csv:1: header: column 2 has no name"},
      {"agent,role,role\n", "agent", "agents.csv:1: header: duplicate column name 'role' (columns 2 and 3)"},
      {"\nid,role\n", "agent", "agents.csv:2: header: no key column 'agent' (columns: id, role)"},
      {"agent,role\na1,x\na2,y,z\n", "agent", "agents.csv:3: expected 2 cells as in the header, got 3"},
      {"agent,role\na1\n", "agent", "agents.csv:2: expected 2 cells as in the header, got 1"},
      {"agent,score\na1,\na2,4\na3,5\na4,n/a\n", "agent",
       "agents.csv:5: column 'score' holds a string ('n/a') here but numbers above (from line 3)..."},
      {"agent,site\na1,Berlin\na2,\na3,12\n", "agent",
       "agents.csv:4: column 'site' holds a number ('12') here but strings above (from line 2)..."},
      {"agent,role\na1,x\n\"multi\nline\",y\na1,z\n", "agent", "agents.csv:5: duplicate key 'a1' (first on line 2)"},
      {"agent,role\na1,x\n,y\n", "agent", "agents.csv:3: empty key (column 'agent')"},
      {"id,role\n1,x\n2,y\n3,z\n2.0,w\n1,v\n", "id", "agents.csv:5: duplicate key '2' (first on line 3)"},
      {"id,role\n1,x\n15m,y\n900,z\n", "id", "agents.csv:4: duplicate key '900' (first on line 3)"},
      {"agent,role\n\"a1,x\n", "agent", "agents.csv:2: unterminated quote in field 1..."},
      {"agent,role\na1,x\n", "", "no key column given..."},
  };
  for (const Case& c : cases) {
    const std::string got = BuildError(c.csv, c.key);
    if (c.message.size() > 3 && c.message.substr(c.message.size() - 3) == "...") {
      EXPECT_EQ(got.rfind(c.message.substr(0, c.message.size() - 3), 0), 0u) << got;
    } else {
      EXPECT_EQ(got, c.message);
    }
  }
}

TEST(LookupTableTest, StoredFormRoundTrips) {
  for (const auto& [csv, key] : std::vector<std::pair<std::string, std::string>>{
           {kAgents, "agent"},
           {"id,limit,label\n30,,\n10,5m,x\n20,,y\n", "id"},
           {"agent,role\n", "agent"},
           {"k\nonly\n", "k"}}) {
    LookupTable t = Build(csv, key);
    const std::string bytes = EncodeLookupTable(t);
    LookupTable back;
    Status s = DecodeLookupTable(bytes, &back);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(back.rows, t.rows);
    EXPECT_EQ(back.key_column, t.key_column);
    EXPECT_EQ(DescribeLookupTable(back), DescribeLookupTable(t));
    ASSERT_EQ(back.columns.size(), t.columns.size());
    for (size_t c = 0; c < t.columns.size(); ++c) {
      EXPECT_EQ(back.columns[c].codes, t.columns[c].codes);
      EXPECT_EQ(back.columns[c].dictionary.ids(), t.columns[c].dictionary.ids());
      ASSERT_EQ(back.columns[c].numbers.size(), t.columns[c].numbers.size());
      for (size_t r = 0; r < t.rows; ++r) {
        EXPECT_EQ(back.IsNull(c, r), t.IsNull(c, r));
        if (t.columns[c].type == TableColumnType::kNumber && !t.IsNull(c, r)) {
          EXPECT_EQ(back.columns[c].numbers[r], t.columns[c].numbers[r]);
        }
      }
    }
    EXPECT_EQ(back.number_keys, t.number_keys);
    for (size_t r = 0; r < t.rows; ++r) {
      if (t.key().type == TableColumnType::kString) {
        EXPECT_EQ(back.FindRow(t.Text(t.key_column, r)), static_cast<int64_t>(r));
      } else {
        EXPECT_EQ(back.FindRow(t.key().numbers[r]), static_cast<int64_t>(r));
      }
    }
  }
}

TEST(LookupTableTest, CorruptBytesAreAnErrorNeverACrash) {
  const std::string good = EncodeLookupTable(Build(kAgents));
  LookupTable out;
  EXPECT_EQ(DecodeLookupTable("", &out).code(), Status::Code::kCorruption);
  EXPECT_EQ(DecodeLookupTable("KTB", &out).code(), Status::Code::kCorruption);
  std::string version = good;
  version[3] = 9;
  EXPECT_NE(DecodeLookupTable(version, &out).message().find("unknown format version 9"), std::string::npos);
  // Every truncation and every single-byte change is caught.
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_EQ(DecodeLookupTable(std::string_view(good).substr(0, n), &out).code(), Status::Code::kCorruption) << n;
  }
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    EXPECT_EQ(DecodeLookupTable(bad, &out).code(), Status::Code::kCorruption) << i;
    EXPECT_EQ(out.rows, 0u);
  }
  std::string longer = good;
  longer.push_back('x');
  EXPECT_EQ(DecodeLookupTable(longer, &out).code(), Status::Code::kCorruption);
  // Random bytes behind a valid magic and version.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string junk = "KTB\x01";
    const size_t n = rng() % 64;
    for (size_t k = 0; k < n; ++k) junk.push_back(static_cast<char>(rng()));
    EXPECT_FALSE(DecodeLookupTable(junk, &out).ok());
  }
}

// CPU time of this process so far, in ms.
double CpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

TEST(LookupTableTest, MillionRowsBuildQuickly) {
  constexpr int kRows = 1'000'000;
  const char* roles[] = {"frontline", "lead", "qa", "trainer"};
  const char* sites[] = {"Shanghai", "Berlin", "Austin", "Manila", "Lisbon", ""};
  std::string csv = "agent,role,site,score,limit\n";
  csv.reserve(size_t{48} * kRows);
  char line[128];
  for (int i = 0; i < kRows; ++i) {
    const int n = std::snprintf(line, sizeof line, "agent%07d,%s,%s,%d.%d,%dm\n", i, roles[i % 4], sites[i % 6],
                                i % 5, i % 10, 5 + i % 30);
    csv.append(line, static_cast<size_t>(n));
  }
  const auto t0 = std::chrono::steady_clock::now();
  const double cpu0 = CpuMs();
  LookupTable t;
  ASSERT_TRUE(BuildLookupTable(csv, "big.csv", "agent", &t).ok());
  const double build_cpu_ms = CpuMs() - cpu0;
  const auto t1 = std::chrono::steady_clock::now();
  const std::string bytes = EncodeLookupTable(t);
  const auto t2 = std::chrono::steady_clock::now();
  LookupTable back;
  ASSERT_TRUE(DecodeLookupTable(bytes, &back).ok());
  const auto t3 = std::chrono::steady_clock::now();
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  std::printf("[ perf ] 1M-row table: CSV %.1f MB, build %.0f ms (CPU %.0f ms), encode %.0f ms (%.1f MB), decode %.0f ms, "
              "memory ~%.1f MB\n",
              csv.size() / 1e6, ms(t0, t1), build_cpu_ms, ms(t1, t2), bytes.size() / 1e6, ms(t2, t3), t.MemoryBytes() / 1e6);
  ASSERT_EQ(t.rows, static_cast<size_t>(kRows));
  EXPECT_EQ(t.FindRow("agent0765432"), 765432);
  EXPECT_EQ(back.FindRow("agent0765432"), 765432);
  EXPECT_EQ(back.Text(1, 765432), "frontline");
  EXPECT_DOUBLE_EQ(back.columns[4].numbers[7], 12 * 60);
  // CPU time, not wall time: a loaded machine (CI's 2 cores, ctest -j)
  // stretches the wall time of the build several times over. Generous for
  // debug and sanitizer builds; a build quadratic in rows is far above.
  EXPECT_LT(build_cpu_ms, 5000) << "wall " << ms(t0, t1) << " ms";
}

}  // namespace
}  // namespace kpi::query
