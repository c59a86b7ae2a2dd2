// The iterator and context types the grammar is instantiated for (once, in
// grammar.cc) and that the driver (query/parser/parser.cc) must use when calling
// it: X3 only links if both sides name exactly the same context type.
//
// Iterator: `const char*` into the script. Context: the ParseState under
// state_tag, over a phrase context whose skipper eats blanks and `--`
// comments.
#pragma once

#include <boost/spirit/home/x3.hpp>

#include "query/parser/x3/state.h"

namespace kpi::query::x3p {

namespace x3 = boost::spirit::x3;

struct state_tag;
struct BlankSkipper;

using iterator_type = const char*;
using skipper_context_type = x3::context<x3::skipper_tag, BlankSkipper const>;
using context_type = x3::context<state_tag, ParseState, skipper_context_type>;

}  // namespace kpi::query::x3p
