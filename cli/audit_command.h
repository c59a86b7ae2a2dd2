// `kpi audit verify --db DIR RESULT.json`: checks that a saved answer still
// stands. RESULT.json is a JSON result as written by `kpi query --format
// json` or the HTTP API (a file of one document per line must hold exactly
// one with provenance). Its provenance.statement is run again as of
// provenance.as_of_ms (ExecOptions::as_of_ms; a statement with its own
// `as of` keeps it), and the rerun's result hash is compared with the saved
// result_hash; the saved rows must hash to it too, so a file whose rows were
// edited does not verify.
// RESULT may also be a page written by `kpi report` (cli/report_html.h):
// every result it embeds is verified, each line prefixed "result-N: ",
// then "<file>: K of N results verified"; exit 0 only when all are.
// With `--backend clickhouse --clickhouse-url URL [--database D]` instead of
// --db the statement reruns on the cluster (its answers carry the same
// provenance, docs/scale-out.md "Provenance").
//
// Exit status and output:
//   0  "verified: hash <h> matches (N rows, as of <T>)" on `out`;
//   1  "not verified: ..." on `out`, with the reason and the first differing
//      line: the columns, or "row K" (1-based) with the saved and the
//      rerun's cells in the JSON rendering; also when the statement fails now;
//   2  bad input on `err`: unreadable file, not JSON, no provenance, a
//      malformed columns / rows / provenance member, a store (or cluster)
//      that cannot be opened.
// Thread safety: one call at a time per output stream.
#pragma once

#include <cstdio>
#include <string>

#include "cli/backend_flags.h"

namespace kpi::cli {

struct AuditVerifyFlags {
  std::string db;
  BackendFlags backend;
  std::string result_file;  // "-" = stdin
};

int RunAuditVerify(const AuditVerifyFlags& flags, std::FILE* out, std::FILE* err);

}  // namespace kpi::cli
