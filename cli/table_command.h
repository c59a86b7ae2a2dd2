// `kpi table load --db DIR NAME FILE.csv --key COLUMN`: loads a lookup table
// (query/catalog/table_store.h) into a store, replacing the whole table.
// With `--backend clickhouse --clickhouse-url URL [--database D]` instead of
// --db it goes to the cluster's definitions (docs/scale-out.md,
// "Definitions"), where every front end of the cluster joins it.
// FILE may be `-` for stdin. The table is parsed and checked whole before
// anything is written: an error (naming the file and line) loads nothing.
//
// Output on success (stdout):
//     table agents: 1,234 rows loaded from agents.csv (key agent)
//       agent   string
//       role    string
//       score   number
// Exit status (cli/exit_codes.h): 0 loaded; 1 the CSV is not a valid table
// (the error names the file and line); 2 bad flags or table name, an
// unreadable file or a store (or cluster) that cannot be opened or written.
// Thread safety: one call at a time per store directory (RocksDB locks it).
#pragma once

#include <cstdio>
#include <string>

#include "cli/backend_flags.h"

namespace kpi::cli {

struct TableLoadFlags {
  std::string db;
  BackendFlags backend;
  std::string name;
  std::string file;  // "-" = stdin
  std::string key;   // the key column
};

int RunTableLoad(const TableLoadFlags& flags, std::FILE* out, std::FILE* err);

}  // namespace kpi::cli
