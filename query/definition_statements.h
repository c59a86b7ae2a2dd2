// The statements that change or list definitions: define kpi | calendar |
// target | exemption | scorecard | watch, show <kind>s (and show alerts),
// drop <kind>.
//
// Each define is validated completely (query/evaluation/definitions.h,
// plus the KPI checks: no shadowed names, no recursion) before anything is
// written, then stored with its history in one atomic metadata write
// (query/catalog/definition_store.h), stamped with the store's clock. A
// failing define or drop changes nothing. Tables are loaded by
// `kpi table load` / PUT /v1/tables/NAME (query/catalog/table_store.h);
// here they are shown and dropped.
// Errors carry the source position of the offending part of the statement.
// Thread safety: as the Store (metadata writes are serialized there).
#pragma once

#include <string_view>
#include <vector>

#include "query/parser/ast.h"
#include "query/evaluation/definitions.h"
#include "query/result.h"
#include "storage/status.h"

namespace kpi::storage {
class Catalog;
class Store;
}

namespace kpi::query {

// True when `st` is a definition statement (then *status holds its outcome
// and, on a positioned error, *error). `text` is the statement as written:
// it is what is stored for calendars, targets, exemptions and scorecards.
// `owner`: the scope text of a scoped token (nullptr: unscoped). A scoped
// token sees shared definitions and its own; what it defines is owned by
// its scope; it may not redefine or drop a shared definition or take a name
// another scope owns (PermissionDenied, with *error). An unscoped token
// sees and may drop everything; its redefinition keeps the owner.
bool RunDefinitionStatement(storage::Store* store, const ast::Statement& st, std::string_view text, Result* out,
                            DefinitionError* error, Status* status, const std::string* owner = nullptr);

// True when every dimension in `where` (from a target's or relaxation's
// `where`, `expr`) is one such a rule may name: a column of the store, a
// built-in column or time bucket, a joined table's column (TABLE.column) or
// agent_of(...). Else false with *error ("unknown dimension 'chanel' (did
// you mean 'channel'?)", at `expr`). Shared by define target / exemption and
// the targets CSV loader (query/evaluation/targets_csv.h).
bool CheckDimensions(const std::vector<GroupMatch>& where, const ast::ExprPtr& expr, const storage::Catalog& catalog,
                     DefinitionError* error);

}  // namespace kpi::query
