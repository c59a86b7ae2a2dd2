// The query grammar's public face: one rule, `statement`, that reads a
// whole statement (select / define kpi / show kpis / drop kpi / explain),
// an optional trailing ';' and nothing else, into an ast::Statement.
//
// The rule is defined in grammar_def.h and instantiated once in grammar.cc
// for config.h's iterator and context; callers parse with exactly that
// context (see query/parser/parser.cc). On failure the ParseState in the context
// says where and why.
#pragma once

#include <boost/spirit/home/x3.hpp>

#include "query/parser/ast.h"

namespace kpi::query::x3p {

namespace x3 = boost::spirit::x3;

struct statement_class;
using statement_type = x3::rule<statement_class, ast::Statement>;
BOOST_SPIRIT_DECLARE(statement_type)

// The rule object (defined out of line: an inline accessor leaves the
// instantiation unreferenced).
const statement_type& StatementRule();

}  // namespace kpi::query::x3p
