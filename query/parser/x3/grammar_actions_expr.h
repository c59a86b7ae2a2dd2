// Part of the query grammar (query/parser/x3/grammar_def.h), included only
// through it: the helpers every semantic action uses (match position, node
// depth, duplicate clauses) and the expression actions (operators, calls,
// literals, case).
#pragma once

#include <boost/fusion/include/at_c.hpp>
#include <boost/spirit/home/x3.hpp>
#include <string>
#include <utility>
#include <vector>

#include "query/parser/ast.h"
#include "query/parser/x3/ast_build.h"
#include "query/parser/x3/grammar.h"
#include "query/parser/x3/state.h"
#include "query/parser/x3/tokens.h"

namespace kpi::query::x3p::grammar_detail {

using x3::_attr;
using x3::_pass;
using x3::_val;

// Start of the text matched by the located[] the action is attached to.
template <typename Context>
const char* MatchStart(const Context& ctx) {
  return StateOf(ctx).match_begin;
}

template <typename Context>
ast::SourcePos MatchPos(const Context& ctx) {
  return StateOf(ctx).PosOf(MatchStart(ctx));
}

// Stores a new composite node into _val, failing the parse when it nests
// too deeply.
template <typename Context>
void SetNode(const Context& ctx, ast::ExprPtr node) {
  ParseState& state = StateOf(ctx);
  if (!state.NoteNode(node, state.lines().PointerOf(node->pos))) _pass(ctx) = false;
  _val(ctx) = std::move(node);
}

// A clause given twice is a definite error.
template <typename Context>
bool RejectDuplicate(const Context& ctx, bool already_set, const char* clause) {
  if (!already_set) return false;
  StateOf(ctx).Fail(MatchStart(ctx), std::string("duplicate '") + clause + "' clause");
  _pass(ctx) = false;
  return true;
}

template <typename Context>
ast::TimeLiteral ToTimeLiteral(const Context& ctx, const Name& name) {
  return ast::TimeLiteral{name.text, StateOf(ctx).PosOf(name.where)};
}

auto const set_val = [](auto& ctx) { _val(ctx) = std::move(_attr(ctx)); };
auto const no_op = [](auto&) {};

struct BinaryAction {
  const char* op;
  template <typename Context>
  void operator()(const Context& ctx) const {
    SetNode(ctx, MakeBinary(op, std::move(_val(ctx)), std::move(_attr(ctx))));
  }
};

struct UnaryAction {
  const char* op;
  template <typename Context>
  void operator()(const Context& ctx) const {
    SetNode(ctx, MakeUnary(op, std::move(_attr(ctx)), MatchPos(ctx)));
  }
};

struct PairAction {
  ast::ExprKind kind;
  template <typename Context>
  void operator()(const Context& ctx) const {
    SetNode(ctx, MakePair(kind, std::move(_val(ctx)), std::move(_attr(ctx))));
  }
};

struct InAction {
  bool negated;
  template <typename Context>
  void operator()(const Context& ctx) const {
    SetNode(ctx, MakeIn(std::move(_val(ctx)), std::move(_attr(ctx)), negated));
  }
};

auto const column_action = [](auto& ctx) {
  const Name& name = _attr(ctx);
  _val(ctx) = MakeText(ast::ExprKind::kColumn, name.text, StateOf(ctx).PosOf(name.where));
};
auto const call_without_args = [](auto& ctx) {
  const ast::ExprPtr callee = _val(ctx);
  SetNode(ctx, MakeCall(callee->text, {}, callee->pos));
};
auto const call_with_args = [](auto& ctx) {
  const ast::ExprPtr callee = _val(ctx);
  SetNode(ctx, MakeCall(callee->text, std::move(_attr(ctx)), callee->pos));
};
auto const timestamp_action = [](auto& ctx) {
  const Name& name = _attr(ctx);
  _val(ctx) = MakeText(ast::ExprKind::kTimestamp, name.text, StateOf(ctx).PosOf(name.where));
};
auto const string_action = [](auto& ctx) {
  Name& name = _attr(ctx);
  _val(ctx) = MakeText(ast::ExprKind::kString, std::move(name.text), StateOf(ctx).PosOf(name.where));
};
struct IsNullAction {
  bool negated;
  template <typename Context>
  void operator()(const Context& ctx) const {
    SetNode(ctx, MakeIsNull(std::move(_val(ctx)), negated));
  }
};
// case ... end: the parts gathered by case_parts.
struct CaseParts {
  std::vector<ast::ExprPtr> args;
  bool has_else = false;
};
auto const push_when_then = [](auto& ctx) {
  _val(ctx).args.push_back(std::move(boost::fusion::at_c<0>(_attr(ctx))));
  _val(ctx).args.push_back(std::move(boost::fusion::at_c<1>(_attr(ctx))));
};
auto const push_else = [](auto& ctx) {
  _val(ctx).args.push_back(std::move(_attr(ctx)));
  _val(ctx).has_else = true;
};
auto const case_action = [](auto& ctx) {
  CaseParts& parts = _attr(ctx);
  SetNode(ctx, MakeCase(std::move(parts.args), parts.has_else, MatchPos(ctx)));
};
auto const true_action = [](auto& ctx) { _val(ctx) = MakeBool(true, MatchPos(ctx)); };
auto const false_action = [](auto& ctx) { _val(ctx) = MakeBool(false, MatchPos(ctx)); };
auto const null_action = [](auto& ctx) { _val(ctx) = MakeNull(MatchPos(ctx)); };

}  // namespace kpi::query::x3p::grammar_detail
