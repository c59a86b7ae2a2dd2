// `kpi info`: what a store holds (counts, time range, bytes, dictionaries,
// per-column encodings), as a report or JSON. Never creates a store.
// Exit status: 0, or 2 when the store cannot be opened or read.
#pragma once

#include <cstdio>
#include <string>

namespace kpi::cli {

struct InfoFlags {
  std::string db;
  std::string format = "table";  // table | json
};

int RunInfo(const InfoFlags& flags, std::FILE* out, std::FILE* err);

}  // namespace kpi::cli
