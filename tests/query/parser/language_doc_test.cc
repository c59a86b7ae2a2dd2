// docs/query-language.md against the language itself: every keyword of the
// grammar (query/parser/x3/keywords.h) and every function of the three
// function tables (aggregates, per-ticket and scalar functions) is written
// in the reference, in code, and section 2's list of reserved words is
// exactly the set the lexer reserves. A new word or function without its
// documentation fails here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "query/aggregates/aggregate.h"
#include "query/functions/scalar_functions.h"
#include "query/functions/ticket_function_registry.h"
#include "query/parser/x3/keywords.h"

namespace kpi::query {
namespace {

std::string ReadDoc() {
  const std::filesystem::path path =
      std::filesystem::path(KPI_TEST_DATA_DIR).parent_path() / "docs" / "query-language.md";
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The words written as code: inside `...` spans, ``` blocks and indented
// blocks, lower-cased.
std::set<std::string> CodeWords(const std::string& doc) {
  std::string code;
  bool fence = false;
  std::istringstream lines(doc);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("```", 0) == 0) {
      fence = !fence;
      continue;
    }
    if (fence || line.rfind("    ", 0) == 0) {
      code += line + "\n";
      continue;
    }
    bool in = false;
    for (char c : line) {
      if (c == '`') {
        in = !in;
        code += ' ';
      } else if (in) {
        code += c;
      }
    }
    code += '\n';
  }
  std::set<std::string> words;
  const std::regex word("[A-Za-z_][A-Za-z0-9_]*");
  for (auto it = std::sregex_iterator(code.begin(), code.end(), word); it != std::sregex_iterator(); ++it) {
    std::string w = it->str();
    for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    words.insert(w);
  }
  return words;
}

TEST(LanguageDoc, EveryKeywordAndFunctionIsDocumented) {
  const std::set<std::string> words = CodeWords(ReadDoc());
  for (const std::string& k : x3p::AllKeywords()) EXPECT_TRUE(words.count(k)) << "keyword '" << k << "'";
  for (const std::string& f : AggregateNames()) EXPECT_TRUE(words.count(f)) << "aggregate '" << f << "'";
  for (const std::string& f : TicketFunctionNames()) EXPECT_TRUE(words.count(f)) << "per-ticket function '" << f << "'";
  for (const std::string& f : ScalarFunctionNames()) EXPECT_TRUE(words.count(f)) << "scalar function '" << f << "'";
}

// Section 2: "Reserved: `and as ... where`." lists what IsReservedWord
// reserves, and "The other keywords (`...`) are not reserved" the rest.
TEST(LanguageDoc, ReservedWordsAreThoseTheLexerReserves) {
  const std::string doc = ReadDoc();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(doc, m, std::regex("Reserved:\\s*`([a-z\\s]+)`")));
  std::set<std::string> listed;
  std::istringstream in(m[1].str());
  for (std::string w; in >> w;) {
    listed.insert(w);
    EXPECT_TRUE(x3p::IsReservedWord(w.data(), w.size())) << "'" << w << "' is listed as reserved but is not";
  }
  ASSERT_TRUE(std::regex_search(doc, m, std::regex("The other keywords \\(`([a-z\\s]+)`\\)\\s+are not reserved")));
  std::set<std::string> unreserved;
  std::istringstream in2(m[1].str());
  for (std::string w; in2 >> w;) unreserved.insert(w);
  for (const std::string& k : x3p::AllKeywords()) {
    if (x3p::IsReservedWord(k.data(), k.size()))
      EXPECT_TRUE(listed.count(k)) << "reserved word '" << k << "' missing from section 2's list";
    else
      EXPECT_TRUE(unreserved.count(k)) << "keyword '" << k << "' missing from section 2's list of other keywords";
  }
}

}  // namespace
}  // namespace kpi::query
