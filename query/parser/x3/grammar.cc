// The grammar's single instantiation: every rule body is compiled here and
// nowhere else.
#include "query/parser/x3/config.h"
#include "query/parser/x3/grammar_def.h"

namespace kpi::query::x3p {

BOOST_SPIRIT_INSTANTIATE(statement_type, iterator_type, context_type)

}  // namespace kpi::query::x3p
