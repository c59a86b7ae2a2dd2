// The query grammar (Boost.Spirit X3). Included only by grammar.cc.
//
// Semantic actions build the engine's ast:: nodes directly (no separate X3
// AST). Actions only ever run at the end of the parser they are attached
// to, so a branch that fails later cannot leave a half-built node behind.
//
// Expression precedence, loosest first:
//   or < and < not < comparison (= != < <= > >=, [not] in (...))
//      < + - < * / < unary - < primary
// Comparisons do not chain (`a < b < c` is an error). Binary operators are
// left-associative. Inside call arguments, `A -> B` (kArrow) and
// `A before B` (kBefore) bind loosest.
//
// The semantic actions and tokens live in grammar_actions_expr.h,
// grammar_actions_select.h, grammar_actions_statements.h and
// grammar_tokens.h (each includes the one before); this file holds the rules.
#pragma once

#include "query/parser/x3/grammar_tokens.h"

namespace kpi::query::x3p {

using namespace grammar_detail;

// --- rules ---

struct expr_class;
struct or_expr_class;
struct and_expr_class;
struct not_expr_class;
struct cmp_expr_class;
struct add_expr_class;
struct mul_expr_class;
struct unary_expr_class;
struct primary_class;
struct name_or_call_class;
struct arg_class;
struct order_item_class;
struct select_class;
struct define_class;
struct show_class;
struct drop_class;
struct explain_class;
struct case_expr_class;
struct group_key_class;
struct case_parts_class;
struct eval_query_class;
struct evaluate_class;
struct calendar_open_class;
struct define_calendar_class;
struct define_target_class;
struct drop_target_class;
struct relaxation_class;
struct define_exemption_class;
struct define_scorecard_class;
struct drop_named_class;
struct define_watch_class;

x3::rule<expr_class, ast::ExprPtr> const expr = "expression";
x3::rule<or_expr_class, ast::ExprPtr> const or_expr = "or";
x3::rule<and_expr_class, ast::ExprPtr> const and_expr = "and";
x3::rule<not_expr_class, ast::ExprPtr> const not_expr = "not";
x3::rule<cmp_expr_class, ast::ExprPtr> const cmp_expr = "comparison";
x3::rule<add_expr_class, ast::ExprPtr> const add_expr = "sum";
x3::rule<mul_expr_class, ast::ExprPtr> const mul_expr = "product";
x3::rule<unary_expr_class, ast::ExprPtr> const unary_expr = "unary";
x3::rule<primary_class, ast::ExprPtr> const primary = "primary";
x3::rule<name_or_call_class, ast::ExprPtr> const name_or_call = "name or call";
x3::rule<arg_class, ast::ExprPtr> const arg = "argument";
x3::rule<order_item_class, ast::OrderItem> const order_item = "order item";
x3::rule<select_class, ast::SelectQuery> const select_stmt = "select";
x3::rule<define_class, ast::DefineKpi> const define_stmt = "define kpi";
x3::rule<show_class, ast::ShowKpis> const show_stmt = "show kpis";
x3::rule<drop_class, ast::DropKpi> const drop_stmt = "drop kpi";
x3::rule<explain_class, ast::Explain> const explain_stmt = "explain";
x3::rule<case_expr_class, ast::ExprPtr> const case_expr = "case";
x3::rule<group_key_class, ast::ExprPtr> const group_key = "group";
x3::rule<case_parts_class, CaseParts> const case_parts = "case branches";
x3::rule<eval_query_class, ast::SelectQuery> const eval_query = "evaluate source";
x3::rule<evaluate_class, ast::Evaluate> const evaluate_stmt = "evaluate";
x3::rule<calendar_open_class, ast::CalendarOpen> const calendar_open = "open hours";
x3::rule<define_calendar_class, ast::DefineCalendar> const define_calendar_stmt = "define calendar";
x3::rule<define_target_class, ast::DefineTarget> const define_target_stmt = "define target";
x3::rule<drop_target_class, ast::DropTarget> const drop_target_stmt = "drop target";
x3::rule<relaxation_class, ast::Relaxation> const relaxation = "relaxation";
x3::rule<define_exemption_class, ast::DefineExemption> const define_exemption_stmt = "define exemption";
x3::rule<define_scorecard_class, ast::DefineScorecard> const define_scorecard_stmt = "define scorecard";
x3::rule<drop_named_class, ast::DropNamed> const drop_named_stmt = "drop";
x3::rule<define_watch_class, ast::DefineWatch> const define_watch_stmt = "define watch";
statement_type const statement = "statement";

// Expressions.
auto const expr_def = as_expression[depth_guard[or_expr]][set_val];
auto const or_expr_def = and_expr[set_val] >> *(kw_or >> and_expr)[BinaryAction{"or"}];
auto const and_expr_def = not_expr[set_val] >> *(kw_and >> not_expr)[BinaryAction{"and"}];
auto const not_expr_def =
    as_expression[located[kw_not >> depth_guard[not_expr]][UnaryAction{"not"}] | cmp_expr[set_val]];
auto const in_list = lparen >> (expr % comma) >> rparen;
auto const cmp_expr_def = add_expr[set_val] >>
                          -((op_le >> add_expr)[BinaryAction{"<="}] | (op_ge >> add_expr)[BinaryAction{">="}] |
                            (op_ne >> add_expr)[BinaryAction{"!="}] | (op_eq >> add_expr)[BinaryAction{"="}] |
                            (op_lt >> add_expr)[BinaryAction{"<"}] | (op_gt >> add_expr)[BinaryAction{">"}] |
                            (kw_infix_not >> kw_in >> in_list)[InAction{true}] | (kw_in >> in_list)[InAction{false}] |
                            (kw_is >> kw_not >> kw_null)[IsNullAction{true}] | (kw_is >> kw_null)[IsNullAction{false}]);
auto const add_expr_def = mul_expr[set_val] >>
                          *((op_plus >> mul_expr)[BinaryAction{"+"}] | (op_minus >> mul_expr)[BinaryAction{"-"}]);
auto const mul_expr_def = unary_expr[set_val] >> *((op_times >> unary_expr)[BinaryAction{"*"}] |
                                                    (op_divide >> unary_expr)[BinaryAction{"/"}]);
auto const unary_expr_def =
    as_expression[located[op_minus >> depth_guard[unary_expr]][UnaryAction{"-"}] | primary[set_val]];
auto const primary_def = time_lit[timestamp_action] | number_lit[set_val] | string_lit[string_action] |
                         located[kw_true][true_action] | located[kw_false][false_action] |
                         located[kw_null][null_action] |
                         case_expr[set_val] | name_or_call[set_val] | (lparen >> expr >> rparen)[set_val];
auto const case_parts_def = +(kw_when >> expr >> kw_then >> expr)[push_when_then] >> -(kw_else >> expr[push_else]);
auto const case_expr_def = located[kw_case >> case_parts >> kw_end][case_action];
auto const name_or_call_def =
    quoted_ident[column_action] >>
    -(member_suffix[member_action] | (call_lparen >> rparen)[call_without_args] |
      (call_lparen >> (arg % comma) >> rparen)[call_with_args]);
auto const arg_def =
    expr[set_val] >>
    -((op_arrow >> expr >> -(kw_in >> label("calendar", "a calendar name")[ident]))[arrow_in_action] |
      (kw_before >> expr)[PairAction{ast::ExprKind::kBefore}]);

// select.
auto const group_item = label("group", "a group (a column, a time bucket, a duration such as 15m or agent_of(...))")
    [group_key];
auto const group_key_def = case_expr[set_val] | name_or_call[set_val] | number_lit[set_val];
auto const time_bound = label("timestamp", "a date or timestamp (YYYY-MM-DD or RFC 3339)")[time_lit];
// The window of `during`: relative (read against now when the statement
// runs) or two instants.
auto const period_unit = label("period", "hour, day, week, month, quarter or year")[ident];
auto const relative_during =
    located[kw_last >> label("duration", "a duration such as 1h or 7d")[number_lit]][set_during_last] |
    located[kw_today][set_during_today] |
    located[kw_this >> period_unit][RelativeUnitAction{ast::RelativeWindow::Kind::kThis}] |
    located[kw_previous >> period_unit][RelativeUnitAction{ast::RelativeWindow::Kind::kPrevious}];
auto const during_window =
    label("window", "a date or timestamp (YYYY-MM-DD or RFC 3339), last <duration>, today, this <period> or "
                    "previous <period>")[relative_during | located[time_bound >> dotdot >> time_bound][set_during]];
auto const source = label("source", "'events', 'tickets' or (select ...)")[located[kw_events][SourceAction{"events"}] |
                                                            located[lparen >> depth_guard[select_stmt] >> rparen][set_subquery] |
                                                            located[kw_tickets][SourceAction{"tickets"}] |
                                                            located[kw_watch >> label("watch", "a watch name")[ident]][set_watch_source] |
                                                            ident[unknown_source]];
auto const clause = located[kw_where >> expr][set_where] |
                    (located[kw_during][reject_second_during] >> during_window) |
                    (kw_at >> kw_last >> call_lparen >> label("event", "an event name")[ident] >> rparen)[set_at_last] |
                    located[kw_at >> label("event", "an event name")[ident]][set_at] |
                    located[kw_by >> (group_item % comma)][set_group_by] |
                    located[kw_having >> expr][set_having] |
                    located[kw_order >> kw_by >> (order_item % comma)][set_order_by] |
                    located[kw_limit >> limit_count][set_limit] |
                    located[kw_tz >> string_lit][set_tz] |
                    located[kw_as_of >> kw_of >> time_bound][set_as_of] |
                    located[kw_rolling >> limit_count][set_rolling] |
                    located[kw_compare >> kw_with >> kw_previous >> -label("unit", "day, week, month, quarter or year")[ident]][set_compare] |
                    (kw_join >> label("table", "a table name")[ident] >> kw_on >> expr)[add_join];
auto const order_item_def = label("name", "a result column name")[quoted_ident[set_order_name] | number_lit[set_order_step]] >>
                            -(kw_asc[no_op] | kw_desc[set_descending]);
auto const select_stmt_def = kw_select >> ((expr[push_item] >> -(kw_alias_as >> quoted_ident[set_alias])) % comma) >>
                             kw_from >> source >> *clause;

// The other statements.
auto const define_stmt_def = kw_define >> kw_kpi >> label("name", "a KPI name")[ident][set_define_name] >>
                             define_eq >> located[expr][set_define_expr];
auto const show_stmt_def =
    kw_show >> (kw_kpis[KindAction{"kpi"}] | kw_tables[KindAction{"table"}] | kw_calendars[KindAction{"calendar"}] |
                kw_targets[KindAction{"target"}] | kw_exemptions[KindAction{"exemption"}] |
                kw_scorecards[KindAction{"scorecard"}] | kw_watches[KindAction{"watch"}] |
                kw_alerts[KindAction{"alert"}]);
auto const drop_stmt_def = kw_drop >> kw_kpi >> label("name", "a KPI name")[ident][set_drop_name];
auto const explain_stmt_def =
    kw_explain >> (select_stmt[set_explained] | evaluate_stmt[set_explained_evaluate]);

// evaluate.
auto const kpi_name = label("kpi", "a KPI name")[ident];
auto const eval_query_def = kw_from >> source >> *clause;
auto const evaluate_stmt_def =
    kw_evaluate >> ((kw_scorecard >> label("scorecard", "a scorecard name")[ident])[set_eval_scorecard] |
                    (kpi_name[push_eval_kpi] % comma)) >>
    located[eval_query][set_eval_query];

// Definitions of the evaluation layer.
auto const cmp_op = op_ge[CmpOpAction{">="}] | op_gt[CmpOpAction{">"}] | op_le[CmpOpAction{"<="}] |
                    op_lt[CmpOpAction{"<"}];
auto const day_item = (label("day", "a day (mon .. sun)")[ident] >> -(op_minus >> ident))[day_item_action];
auto const calendar_open_def = located[day_item % comma][set_open_pos] >> +clock_range[push_clock_range];
auto const closed_item = (time_bound >> -(dotdot >> time_bound))[push_closed];
auto const define_calendar_stmt_def =
    kw_define >> kw_calendar >> label("name", "a calendar name")[ident][set_def_name] >> kw_tz >>
    string_lit[set_cal_tz] >> kw_open >> (calendar_open[push_open] % comma) >> -(kw_closed >> (closed_item % comma));
auto const target_op = located[op_ge][CmpOpPosAction{">="}] | located[op_gt][CmpOpPosAction{">"}] |
                       located[op_le][CmpOpPosAction{"<="}] | located[op_lt][CmpOpPosAction{"<"}];
auto const define_target_stmt_def = kw_define >> kw_target >> kpi_name[set_def_kpi] >>
                                    label("operator", "one of >= > <= <")[target_op] >> expr[set_def_value] >>
                                    -(kw_where >> expr[set_def_where]);
auto const drop_target_stmt_def = kw_drop >> kw_target >> kpi_name[set_def_kpi] >> -(kw_where >> expr[set_def_where]);
auto const relaxation_def =
    kpi_name[set_def_kpi] >> label("operator", "one of >= > <= <")[cmp_op] >> expr[set_def_value];
auto const define_exemption_stmt_def =
    kw_define >> kw_exemption >> label("name", "an exemption name")[ident][set_def_name] >>
    (kw_during >> time_bound >> dotdot >> time_bound)[set_exemption_window] >> -(kw_where >> expr[set_def_where]) >>
    label("action", "'exclude' or 'relax'")[kw_exclude[set_exclude] | (kw_relax >> (relaxation[push_relaxation] % comma))] >>
    -(kw_tz >> string_lit[set_def_tz]);
auto const weight = label("weight", "a weight (55% or 0.55)")[number_lit];
auto const define_scorecard_stmt_def =
    kw_define >> kw_scorecard >> label("name", "a scorecard name")[ident][set_def_name] >> define_eq >>
    ((weight >> kpi_name)[push_term] % op_plus) >> -(kw_cap >> number_lit[set_cap]);
auto const drop_named_stmt_def =
    kw_drop >> (kw_table[KindAction{"table"}] | kw_calendar[KindAction{"calendar"}] |
                kw_exemption[KindAction{"exemption"}] | kw_scorecard[KindAction{"scorecard"}] |
                kw_watch[KindAction{"watch"}]) >>
    label("name", "a name")[ident][set_def_name];

// define watch NAME every <duration> [keep <duration>] as <select | evaluate> [notify "<url>"]
auto const watch_duration = label("duration", "a duration such as 10s, 5m or 7d")[number_lit];
auto const define_watch_stmt_def =
    kw_define >> kw_watch >> label("name", "a watch name")[ident][set_def_name] >> kw_every >>
    watch_duration[set_watch_every] >> -(kw_keep >> watch_duration[set_watch_keep]) >> kw_statement_as >>
    label("statement", "a select or evaluate statement")[located[select_stmt][set_watch_select] |
                                                          located[evaluate_stmt][set_watch_evaluate]] >>
    -(kw_notify >> label("url", "a quoted URL (\"http://host:port/path\")")[string_lit][set_watch_notify]);

auto const statement_def =
    label("statement", "a statement (select, evaluate, define, show, drop or explain)")
        [select_stmt[set_val] | evaluate_stmt[set_val] | define_stmt[set_val] | define_calendar_stmt[set_val] |
         define_target_stmt[set_val] | define_exemption_stmt[set_val] | define_scorecard_stmt[set_val] |
         define_watch_stmt[set_val] |
         show_stmt[set_val] | drop_stmt[set_val] | drop_target_stmt[set_val] | drop_named_stmt[set_val] |
         explain_stmt[set_val]] >>
    -semicolon >> end_of_input;

BOOST_SPIRIT_DEFINE(expr, or_expr, and_expr, not_expr, cmp_expr, add_expr, mul_expr, unary_expr, primary,
                    name_or_call, arg, order_item, select_stmt, define_stmt, show_stmt, drop_stmt, explain_stmt,
                    case_expr, case_parts, group_key, eval_query, evaluate_stmt, calendar_open, define_calendar_stmt, define_target_stmt,
                    drop_target_stmt, relaxation, define_exemption_stmt, define_scorecard_stmt, drop_named_stmt,
                    define_watch_stmt, statement)

const statement_type& StatementRule() { return statement; }

}  // namespace kpi::query::x3p
