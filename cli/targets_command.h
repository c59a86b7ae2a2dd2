// `kpi targets load --db DIR FILE.csv`: defines targets from a CSV file
// (header kpi,op,target,<dim>,...; empty cell = any), all in one atomic
// write (query/evaluation/targets_csv.h). FILE may be `-` for stdin. A target
// with the same kpi and where as a stored one replaces it; others stay.
// With `--backend clickhouse --clickhouse-url URL [--database D]` instead of
// --db the targets go to the cluster's definitions (docs/scale-out.md,
// "Definitions"), with the same checks (the cluster's KPIs and dimensions)
// and errors.
//
// Output on success (stdout):
//     targets: 3 loaded from targets.csv (2 new, 1 redefined)
//       fcr where business_type = "retail"
//       ...
// Exit status (cli/exit_codes.h): 0 loaded; 1 the file is not a valid
// targets file (the error names the file and line; nothing is written);
// 2 bad flags, an unreadable file or a store (or cluster) that cannot be
// opened or written.
// Thread safety: one call at a time per store directory (RocksDB locks it).
#pragma once

#include <cstdio>
#include <string>

#include "cli/backend_flags.h"

namespace kpi::cli {

struct TargetsLoadFlags {
  std::string db;
  BackendFlags backend;
  std::string file;  // "-" = stdin
};

int RunTargetsLoad(const TargetsLoadFlags& flags, std::FILE* out, std::FILE* err);

}  // namespace kpi::cli
