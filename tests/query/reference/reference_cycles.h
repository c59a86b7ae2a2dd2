// Reference: reply cycles of a ticket (query-language.md 16.6), the plain way.
#pragma once

#include <string>
#include <vector>

#include "query/parser/ast.h"
#include "query/reference/reference_tickets.h"

namespace kpi::reference {

// The closed cycles of `t` from an `a` to the next `b`, in seconds, in order.
std::vector<double> TicketCycleSeconds(const RefTicket& t, const std::string& a, const std::string& b);

// The first cycles(...) call inside `e`, or nullptr.
const query::ast::Expr* FindCyclesCall(const query::ast::Expr& e);

}  // namespace kpi::reference
