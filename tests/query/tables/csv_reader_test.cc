// The query layer's CSV reader: RFC 4180 records with their lines, syntax
// errors naming the line, and the contract's cell-typing rule.
#include "query/catalog/csv_reader.h"

#include <gtest/gtest.h>

#include <cmath>

namespace kpi::query {
namespace {

struct Read {
  Status status;
  std::vector<CsvRecord> records;
};

Read ReadAll(std::string_view text, const std::string& source = "t.csv") {
  Read r;
  r.status = ReadCsv(text, source, [&r](const CsvRecord& rec, std::string*) {
    r.records.push_back(rec);
    return true;
  });
  return r;
}

using Cells = std::vector<std::string>;

TEST(CsvReaderTest, PlainRecordsWithLines) {
  Read r = ReadAll("a,b,c\n1,2,3\nx,,z\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[0].cells, (Cells{"a", "b", "c"}));
  EXPECT_EQ(r.records[2].cells, (Cells{"x", "", "z"}));
  EXPECT_EQ(r.records[0].line, 1);
  EXPECT_EQ(r.records[2].line, 3);
}

TEST(CsvReaderTest, QuotedFieldsEscapesAndNewlines) {
  Read r = ReadAll("name,note\n\"Smith, J\",\"say \"\"hi\"\"\"\n\"multi\nline\r\ntext\",x\nlast,\"\"\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.records.size(), 4u);
  EXPECT_EQ(r.records[1].cells, (Cells{"Smith, J", "say \"hi\""}));
  EXPECT_EQ(r.records[2].cells, (Cells{"multi\nline\r\ntext", "x"}));
  EXPECT_EQ(r.records[2].line, 3);
  EXPECT_EQ(r.records[3].line, 6);  // the quoted newlines count
  EXPECT_EQ(r.records[3].cells, (Cells{"last", ""}));
}

TEST(CsvReaderTest, CrlfBomBlankLinesAndNoFinalNewline) {
  Read r = ReadAll("\xEF\xBB\xBFk,v\r\n\r\na,1\r\n\nb,2");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[0].cells, (Cells{"k", "v"}));  // no BOM in the first name
  EXPECT_EQ(r.records[1].cells, (Cells{"a", "1"}));
  EXPECT_EQ(r.records[1].line, 3);
  EXPECT_EQ(r.records[2].cells, (Cells{"b", "2"}));
  EXPECT_EQ(r.records[2].line, 5);
}

TEST(CsvReaderTest, TrailingCommaEmptyFieldsAndLoneCr) {
  Read r = ReadAll("a,\n,\n\"\"\nx\ry\n\"q\"\r\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.records.size(), 5u);
  EXPECT_EQ(r.records[0].cells, (Cells{"a", ""}));
  EXPECT_EQ(r.records[1].cells, (Cells{"", ""}));
  EXPECT_EQ(r.records[2].cells, (Cells{""}));
  EXPECT_EQ(r.records[3].cells, (Cells{"x\ry"}));  // a lone CR is data
  EXPECT_EQ(r.records[4].cells, (Cells{"q"}));
}

TEST(CsvReaderTest, EmptyInputHasNoRecords) {
  for (const char* text : {"", "\n", "\r\n\n", "\xEF\xBB\xBF"}) {
    Read r = ReadAll(text);
    EXPECT_TRUE(r.status.ok()) << text;
    EXPECT_TRUE(r.records.empty()) << text;
  }
}

TEST(CsvReaderTest, SyntaxErrorsNameTheLine) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"a,b\n1,\"open\n2,3\n", "t.csv:2: unterminated quote in field 2"},
      {"a,b\n1,x\"y\n", "t.csv:2: quote inside unquoted field 2"},
      {"a,b\n\"multi\nline\"x,1\n", "t.csv:3: text after the closing quote of field 1"},
      {"a\nok\nbad\xff\n", "t.csv:3: invalid UTF-8"},
      {"a\n\xC0\x80\n", "t.csv:2: invalid UTF-8"},  // overlong
      {"a\n\xED\xA0\x80\n", "t.csv:2: invalid UTF-8"},  // surrogate
  };
  for (const Case& c : cases) {
    Read r = ReadAll(c.text);
    EXPECT_EQ(r.status.code(), Status::Code::kInvalidArgument) << c.text;
    EXPECT_EQ(r.status.message().rfind(c.message, 0), 0u) << r.status.message();
  }
  Read no_source = ReadAll("\"x", "");
  EXPECT_EQ(no_source.status.message().rfind("line 1: unterminated quote", 0), 0u) << no_source.status.message();
}

TEST(CsvReaderTest, CallbackStopsWithItsMessage) {
  int seen = 0;
  Status s = ReadCsv("a\nb\nc\n", "f", [&seen](const CsvRecord& rec, std::string* why) {
    ++seen;
    if (rec.line == 2) {
      *why = "f:2: no thanks";
      return false;
    }
    return true;
  });
  EXPECT_EQ(seen, 2);
  EXPECT_EQ(s.message(), "f:2: no thanks");
}

TEST(CsvCellTest, TypingRule) {
  struct Case {
    const char* cell;
    CsvCellKind kind;
    double value;
  } cases[] = {
      {"", CsvCellKind::kNull, 0},
      {"12", CsvCellKind::kNumber, 12},
      {"0.25", CsvCellKind::kNumber, 0.25},
      {"1e3", CsvCellKind::kNumber, 1000},
      {"-4.5", CsvCellKind::kNumber, -4.5},
      {"+7", CsvCellKind::kNumber, 7},
      {" 8 ", CsvCellKind::kNumber, 8},
      {"007", CsvCellKind::kNumber, 7},
      {"15m", CsvCellKind::kNumber, 900},
      {"2h", CsvCellKind::kNumber, 7200},
      {"1.5d", CsvCellKind::kNumber, 129600},
      {"250ms", CsvCellKind::kNumber, 0.25},
      {"90%", CsvCellKind::kNumber, 0.9},
      {"-10%", CsvCellKind::kNumber, -0.1},
      {"true", CsvCellKind::kString, 0},
      {"2025-10-01", CsvCellKind::kString, 0},
      {"2025-10-01T08:00:00Z", CsvCellKind::kString, 0},
      {"a7", CsvCellKind::kString, 0},
      {"12ab", CsvCellKind::kString, 0},
      {"15 m", CsvCellKind::kString, 0},
      {".5", CsvCellKind::kString, 0},
      {"1.", CsvCellKind::kString, 0},
      {"-", CsvCellKind::kString, 0},
      {"  ", CsvCellKind::kString, 0},
      {"nan", CsvCellKind::kString, 0},
      {"inf", CsvCellKind::kString, 0},
      {"1e999", CsvCellKind::kString, 0},
      {"1,5", CsvCellKind::kString, 0},
  };
  for (const Case& c : cases) {
    double v = -1;
    EXPECT_EQ(ClassifyCsvCell(c.cell, &v), c.kind) << "'" << c.cell << "'";
    if (c.kind == CsvCellKind::kNumber) {
      EXPECT_DOUBLE_EQ(v, c.value) << c.cell;
    }
  }
}

}  // namespace
}  // namespace kpi::query
