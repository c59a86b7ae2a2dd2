#include "query/reference/reference_cycles.h"

#include <algorithm>
#include <utility>

namespace kpi::reference {

std::vector<double> TicketCycleSeconds(const RefTicket& t, const std::string& a, const std::string& b) {
  // Every A and every B of the ticket as (time, 0 = A / 1 = B), sorted: at
  // one instant the A events come first, so a B at the instant of an A ends it.
  std::vector<std::pair<int64_t, int>> marks;
  for (const RefEvent& e : t.events) {
    if (e.event == a) marks.emplace_back(e.time, 0);
    if (e.event == b) marks.emplace_back(e.time, 1);
  }
  std::stable_sort(marks.begin(), marks.end());
  std::vector<double> out;
  bool open = false;
  int64_t start = 0;
  for (const auto& [time, kind] : marks) {
    if (kind == 0 && !open) {
      open = true;
      start = time;
    } else if (kind == 1 && open) {
      out.push_back(static_cast<double>(time - start) / 1000.0);
      open = false;
    }
  }
  return out;  // a cycle still open is not counted
}

const query::ast::Expr* FindCyclesCall(const query::ast::Expr& e) {
  if (e.kind == query::ast::ExprKind::kCall && e.text == "cycles") return &e;
  for (const auto& arg : e.args)
    if (arg)
      if (const query::ast::Expr* c = FindCyclesCall(*arg)) return c;
  return nullptr;
}

}  // namespace kpi::reference
