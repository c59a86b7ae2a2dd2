#include "query/differential/reference_answer.h"

#include <variant>

#include "query/differential/compare.h"
#include "query/parser/parser.h"
#include "query/reference/reference_evaluator.h"
#include "query/reference/reference_relative.h"
#include "query/reference/result_text.h"

namespace kpi::differential {

bool AnswerWithReference(const reference::EventLog& log, const GeneratedQuery& g, ReferenceAnswer* out,
                         std::string* why) {
  out->text = g.text;
  out->now_ms = g.now_ms;
  query::ast::Statement parsed;
  query::ParseError perr;
  if (!query::ParseStatement(g.text, &parsed, &perr)) {
    *why = "the parser refuses a generated query\n" + perr.ToString();
    return false;
  }
  out->select = std::get<query::ast::SelectQuery>(parsed);
  std::string relative_error;
  if (g.now_ms && !reference::ResolveRelativeDuring(&out->select, *g.now_ms, &relative_error)) {
    *why = "the reference cannot resolve the window: " + relative_error;
    return false;
  }
  out->status = reference::Evaluate(log, out->select, {}, &out->result);
  if (out->status.ok() && out->select.limit) {
    query::ast::SelectQuery unlimited = out->select;
    unlimited.limit.reset();
    (void)reference::Evaluate(log, unlimited, {}, &out->unlimited);
  }
  return true;
}

std::string CheckWithReference(const ReferenceAnswer& ref, const Status& engine_status,
                               const query::QueryError& engine_error, const query::Result& engine,
                               bool* both_refuse) {
  std::string why;
  const Outcome outcome = CompareOutcomes(engine_status, engine_error.ToString(), engine, ref.status, ref.result,
                                          ref.unlimited, ref.select, &why);
  if (both_refuse != nullptr) *both_refuse = outcome == Outcome::kBothRefuse;
  if (outcome != Outcome::kDiffer) return "";
  if (!engine_status.ok()) why += "\n  engine: " + engine_error.ToString();
  if (!ref.status.ok()) why += "\n  reference: " + ref.status.ToString();
  return why + "\n--- engine\n" + (engine_status.ok() ? reference::FormatTable(engine, 40) : "(error)") +
         "--- reference\n" + (ref.status.ok() ? reference::FormatTable(ref.result, 40) : "(error)");
}

}  // namespace kpi::differential
