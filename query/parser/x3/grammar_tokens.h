// Part of the query grammar (query/parser/x3/grammar_def.h), included only
// through it: the keywords, punctuation and lexical tokens the rules use
// (each with the name an error message gives it).
#pragma once

#include "query/parser/x3/grammar_actions_statements.h"

namespace kpi::query::x3p::grammar_detail {

Keyword const kw_select{"select", "'select'"};
Keyword const kw_from{"from", "'from'"};
Keyword const kw_where{"where", "'where'"};
Keyword const kw_during{"during", "'during'"};
Keyword const kw_at{"at", "'at'"};
Keyword const kw_by{"by", "'by'"};
Keyword const kw_having{"having", "'having'"};
Keyword const kw_order{"order", "'order by'"};
Keyword const kw_limit{"limit", "'limit'"};
Keyword const kw_tz{"tz", "'tz'"};
Keyword const kw_as_of{"as", "'as of'"};
Keyword const kw_of{"of", "'of'"};
Keyword const kw_alias_as{"as", "'as'", /*quiet=*/true};
Keyword const kw_asc{"asc", "'asc'", true};
Keyword const kw_desc{"desc", "'desc'", true};
Keyword const kw_events{"events", "'events'"};
Keyword const kw_tickets{"tickets", "'tickets'"};
Keyword const kw_or{"or", "'or'", true};
Keyword const kw_and{"and", "'and'", true};
Keyword const kw_not{"not", "'not'"};
Keyword const kw_infix_not{"not", "'not in'", true};
Keyword const kw_in{"in", "'in'", true};
Keyword const kw_before{"before", "'before'", true};
Keyword const kw_true{"true", "'true'"};
Keyword const kw_false{"false", "'false'"};
Keyword const kw_null{"null", "'null'"};
Keyword const kw_define{"define", "'define'"};
Keyword const kw_kpi{"kpi", "'kpi'"};
Keyword const kw_kpis{"kpis", "'kpis'"};
Keyword const kw_show{"show", "'show'"};
Keyword const kw_drop{"drop", "'drop'"};
Keyword const kw_explain{"explain", "'explain'"};
Keyword const kw_join{"join", "'join'"};
Keyword const kw_on{"on", "'on'"};
Keyword const kw_evaluate{"evaluate", "'evaluate'"};
Keyword const kw_scorecard{"scorecard", "'scorecard'"};
Keyword const kw_scorecards{"scorecards", "'scorecards'"};
Keyword const kw_calendar{"calendar", "'calendar'"};
Keyword const kw_calendars{"calendars", "'calendars'"};
Keyword const kw_target{"target", "'target'"};
Keyword const kw_targets{"targets", "'targets'"};
Keyword const kw_exemption{"exemption", "'exemption'"};
Keyword const kw_exemptions{"exemptions", "'exemptions'"};
Keyword const kw_table{"table", "'table'"};
Keyword const kw_tables{"tables", "'tables'"};
Keyword const kw_open{"open", "'open'"};
Keyword const kw_closed{"closed", "'closed'"};
Keyword const kw_exclude{"exclude", "'exclude'"};
Keyword const kw_relax{"relax", "'relax'"};
Keyword const kw_cap{"cap", "'cap'"};
Keyword const kw_case{"case", "'case'"};
Keyword const kw_when{"when", "'when'"};
Keyword const kw_then{"then", "'then'"};
Keyword const kw_else{"else", "'else'"};
Keyword const kw_end{"end", "'end'"};
Keyword const kw_is{"is", "'is'", true};
Keyword const kw_rolling{"rolling", "'rolling'"};
Keyword const kw_compare{"compare", "'compare with'"};
Keyword const kw_with{"with", "'with'"};
Keyword const kw_previous{"previous", "'previous'"};
Keyword const kw_last{"last", "'last'", true};
Keyword const kw_today{"today", "'today'", true};
Keyword const kw_watch{"watch", "'watch'"};
Keyword const kw_watches{"watches", "'watches'"};
Keyword const kw_alerts{"alerts", "'alerts'"};
Keyword const kw_every{"every", "'every'"};
Keyword const kw_keep{"keep", "'keep'", true};
Keyword const kw_statement_as{"as", "'as'"};
Keyword const kw_notify{"notify", "'notify'", true};
Keyword const kw_this{"this", "'this'", true};

Punct const comma{",", "','"};
Punct const lparen{"(", "'('"};
Punct const call_lparen{"(", "'('", /*quiet=*/true};  // after a name: a call, rarely what was meant
Punct const rparen{")", "')'"};
Punct const semicolon{";", "';'", true};
Punct const dotdot{"..", "'..' and an end (during <start> .. <end>)"};
Punct const define_eq{"=", "'='"};
Punct const op_le{"<=", "'<='", true};
Punct const op_ge{">=", "'>='", true};
Punct const op_ne{"!=", "'!='", true};
Punct const op_eq{"=", "'='", true};
Punct const op_lt{"<", "'<'", true, "=>"};
Punct const op_gt{">", "'>'", true, "="};
Punct const op_plus{"+", "'+'", true};
Punct const op_minus{"-", "'-'", true, ">"};
Punct const op_times{"*", "'*'", true};
Punct const op_divide{"/", "'/'", true};
Punct const op_arrow{"->", "'->'", true};

Identifier const ident{};
Identifier const quoted_ident{true};  // a column's or result column's name: may be `quoted`
MemberSuffix const member_suffix{};
ClockRange const clock_range{};
StringLiteral const string_lit{};
TimeToken const time_lit{};
NumberLiteral const number_lit{};
LimitCount const limit_count{};
EndOfInput const end_of_input{};

LabelGen const as_expression = label("expression", "an expression");

}  // namespace kpi::query::x3p::grammar_detail
