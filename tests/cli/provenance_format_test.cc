// Provenance in the CLI's output (FormatJson, FormatProvenance) and the same
// JSON rendering in the server's: both use query/value_json.h and the
// provenance object of query/evaluation/provenance.h.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/format.h"
#include "query/evaluation/provenance.h"
#include "server/result_render.h"

namespace kpi::cli {
namespace {

using query::Result;
using query::Value;
using query::ValueType;

Result WithProvenance() {
  Result r;
  r.tz = "Europe/Berlin";
  r.columns = {{"channel", ValueType::kString}, {"n", ValueType::kNumber}, {"first", ValueType::kTime}};
  r.rows.push_back({Value::String("chat"), Value::Number(12), Value::Time(1740816902123)});
  r.rows.push_back({Value::String("caf\xC3\xA9"), Value::Null(), Value::Time(1751371200000)});
  r.provenance.present = true;
  r.provenance.as_of_ms = 1748736000000;
  r.provenance.definitions = {{"kpi", "frt", 1748649600000}};
  r.provenance.statement = "select count() as n from tickets by channel";
  query::StampResultHash(&r);
  return r;
}

TEST(ProvenanceFormatTest, JsonCarriesTheObjectWhenPresent) {
  nlohmann::json doc = nlohmann::json::parse(FormatJson(WithProvenance()));
  const nlohmann::json& p = doc["provenance"];
  EXPECT_EQ(p["as_of"], "2025-06-01T00:00:00Z");
  EXPECT_EQ(p["as_of_ms"], 1748736000000);
  ASSERT_EQ(p["definitions"].size(), 1u);
  EXPECT_EQ(p["definitions"][0]["kind"], "kpi");
  EXPECT_EQ(p["definitions"][0]["name"], "frt");
  EXPECT_EQ(p["definitions"][0]["version"], "2025-05-31T00:00:00Z");
  EXPECT_EQ(p["definitions"][0]["version_ms"], 1748649600000);
  EXPECT_EQ(p["statement"], "select count() as n from tickets by channel");
  EXPECT_EQ(p["result_hash"], WithProvenance().provenance.result_hash);
  EXPECT_EQ(p["result_hash"].get<std::string>().size(), 32u);

  Result plain = WithProvenance();
  plain.provenance = {};
  EXPECT_FALSE(nlohmann::json::parse(FormatJson(plain)).contains("provenance"));
}

TEST(ProvenanceFormatTest, CliAndServerRenderRowsAndProvenanceAlike) {
  const Result r = WithProvenance();
  nlohmann::json cli = nlohmann::json::parse(FormatJson(r));
  nlohmann::json server = nlohmann::json::parse(server::RenderResultJson(r));
  EXPECT_EQ(cli["rows"].dump(), server["rows"].dump());
  EXPECT_EQ(cli["provenance"].dump(), server["provenance"].dump());
  EXPECT_EQ(cli["rows"][0][2], "2025-03-01T09:15:02.123+01:00");
  EXPECT_EQ(cli["rows"][1][2], "2025-07-01T14:00:00+02:00");
}

TEST(ProvenanceFormatTest, TextBlock) {
  Result r = WithProvenance();
  r.provenance.statement = "select count() as n\nfrom tickets";
  EXPECT_EQ(FormatProvenance(r.provenance),
            "provenance:\n"
            "  as of:       2025-06-01T00:00:00Z\n"
            "  definition:  kpi frt, version 2025-05-31T00:00:00Z\n"
            "  statement:   select count() as n\n"
            "               from tickets\n"
            "  result hash: " +
                r.provenance.result_hash + "\n");
  EXPECT_EQ(FormatProvenance(query::Provenance{}), "");
}

}  // namespace
}  // namespace kpi::cli
