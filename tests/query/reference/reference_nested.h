// Reference: nested selects (`from (select ...)`, query-language.md 16.5),
// the plain way: the inner statement is evaluated first, as of the outer's
// instant and in the statement's zone; the outer then reads its rows as
// its only columns (reference_evaluator.cc, QueryRun with an inner result).
#pragma once

#include <optional>
#include <string>

#include "query/parser/ast.h"
#include "query/result.h"
#include "storage/status.h"

namespace kpi::reference {

// The inner statement as the reference runs it: the outer's `as of`, the
// statement's zone. InvalidArgument when the inner names its own `as of`.
Status InnerStatement(const query::ast::SelectQuery& outer, query::ast::SelectQuery* inner);

// The statement's zone for every level that names none: the first `tz`
// from the outside in.
std::optional<std::string> StatementZone(const query::ast::SelectQuery& q);

// What a nested source refuses: inner columns sharing a name, join / at /
// during / rolling / compare on the outer.
Status CheckNestedSource(const query::ast::SelectQuery& outer, const query::Result& inner);

}  // namespace kpi::reference
