// `kpi compact --db DIR`: reclaims the disk space of what seals replaced
// (Store::Compact, storage/compact.h) and prints the store's disk bytes and
// bytes per event before and after, and the time taken:
//   compact DIR: 1,234,567 -> 987,654 bytes (179.7 -> 143.8 bytes/event, 6,870,000 events), 42.10 s
// Run it while nothing else writes. A store a running `kpi serve` holds is
// refused, naming the server as the holder; stop it first.
// Exit status: 0, or 2 (bad flags, no store, a store in use, a failed compaction).
#pragma once

#include <cstdio>
#include <string>

namespace kpi::cli {

struct CompactFlags {
  std::string db;
};

int RunCompact(const CompactFlags& flags, std::FILE* out, std::FILE* err);

}  // namespace kpi::cli
