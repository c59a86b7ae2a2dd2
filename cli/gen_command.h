// `kpi gen`: writes synthetic ticket events (cli/gen) as NDJSON to a file or
// stdout, with progress and a summary on `err` (stdout may be the data).
// Exit status: 0, or 2 for bad options or an unwritable output.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "cli/gen/generator.h"

namespace kpi::cli {

struct GenFlags {
  std::string out = "-";     // file or "-" for stdout
  gen::GenOptions options;   // seed, tickets, agents, days, shuffle, late_fraction
  std::string start;         // "YYYY-MM-DD" (UTC midnight) or RFC 3339; empty: the default
  bool quiet = false;
};

int RunGen(const GenFlags& flags, std::FILE* err);

}  // namespace kpi::cli
