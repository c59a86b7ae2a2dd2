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
// Thread safety: as the MetaWriter (thread-safe).
#pragma once

#include <string_view>
#include <vector>

#include "query/backend/backend.h"
#include "query/binder/schema.h"
#include "query/catalog/meta_store.h"
#include "query/parser/ast.h"
#include "query/evaluation/definitions.h"
#include "query/result.h"
#include "storage/status.h"

namespace kpi::query {

// True when `st` is a definition statement (then *status holds its outcome
// and, on a positioned error, *error). `text` is the statement as written:
// it is what is stored for calendars, targets, exemptions and scorecards.
// `owner`: the scope text of a scoped token (nullptr: unscoped). A scoped
// token sees shared definitions and its own; what it defines is owned by
// its scope; it may not redefine or drop a shared definition or take a name
// another scope owns (PermissionDenied, with *error). An unscoped token
// sees and may drop everything; its redefinition keeps the owner.
// `store` holds the definitions (the local store's or a cluster's
// metadata); `schema` is the data's columns, which KPI names may not hide
// and targets and exemptions may name.
bool RunDefinitionStatement(const MetaWriter& store, const Schema& schema, const ast::Statement& st,
                            std::string_view text, Result* out, DefinitionError* error, Status* status,
                            const std::string* owner = nullptr);

// The same for a backend's Execute (query/backend/backend.h): a positioned
// error fills *error (message, line, column, snippet) and *status carries
// "line L, column C: message" (NotFound and PermissionDenied keep their
// codes, every other failure is InvalidArgument).
bool ExecuteDefinitionStatement(const MetaWriter& store, const Schema& schema, const ast::Statement& st,
                                std::string_view text, Result* out, QueryError* error, Status* status,
                                const std::string* owner = nullptr);

// True when every dimension in `where` (from a target's or relaxation's
// `where`, `expr`) is one such a rule may name: a column of the store, a
// built-in column or time bucket, a joined table's column (TABLE.column) or
// agent_of(...). Else false with *error ("unknown dimension 'chanel' (did
// you mean 'channel'?)", at `expr`). Shared by define target / exemption and
// the targets CSV loader (query/evaluation/targets_csv.h).
bool CheckDimensions(const std::vector<GroupMatch>& where, const ast::ExprPtr& expr, const Schema& schema,
                     DefinitionError* error);

}  // namespace kpi::query
