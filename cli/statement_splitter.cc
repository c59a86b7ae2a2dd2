// Statement splitting for the CLI (see cli/statement_splitter.h): the
// boundaries come from the parser (query::SplitScript), the one place that
// knows them; this file only pads each piece so that error positions point
// into the script.
#include "cli/statement_splitter.h"

#include "query/parser/parser.h"

namespace kpi::cli {

std::vector<ScriptStatement> SplitStatements(std::string_view script) {
  std::vector<ScriptStatement> out;
  for (const query::ScriptPiece& piece : query::SplitScript(script)) {
    ScriptStatement st;
    st.line = piece.line;
    st.column = piece.column;
    st.text.assign(static_cast<size_t>(st.line - 1), '\n');
    st.text.append(static_cast<size_t>(st.column - 1), ' ');
    st.text.append(piece.text);
    out.push_back(std::move(st));
  }
  return out;
}

size_t EndOfLastTerminator(std::string_view text) { return query::EndOfLastTerminator(text); }

bool IsBlankScript(std::string_view text) { return query::IsBlankScript(text); }

}  // namespace kpi::cli
