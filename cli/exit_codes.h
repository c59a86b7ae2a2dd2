// Process exit statuses of the `kpi` commands (documented in `kpi --help`;
// scripts depend on them, so never renumber).
#pragma once

namespace kpi::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRejects = 1;     // ingest: some lines rejected; query/repl: a statement failed;
                                           // audit verify: the result does not verify
inline constexpr int kExitUsage = 2;       // bad flags, unreadable file, store that cannot be opened
inline constexpr int kExitAborted = 3;     // ingest: more rejects than --max-errors

}  // namespace kpi::cli
