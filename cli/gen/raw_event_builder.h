// RawEventBuilder: turns the generator's CompactEvents into RawEvents.
//
// Ids are zero-padded so that they sort as numbers: tickets T000001..
// (at least 6 digits), customers C0001.. (at least 4), agents a001.. (at
// least 3), each wide enough for the configured counts. Build overwrites
// every field of *out and reuses its string and vector buffers, so filling
// the same RawEvent again does not allocate. Thread-safe (const).
#pragma once

#include <cstdint>

#include "cli/gen/compact_event.h"
#include "cli/gen/generator.h"
#include "storage/raw_event.h"

namespace kpi::gen {

class RawEventBuilder {
 public:
  explicit RawEventBuilder(const GenOptions& options);

  // `line` is stored in RawEvent::line.
  void Build(const CompactEvent& e, uint64_t line, RawEvent* out) const;

 private:
  int ticket_width_;
  int customer_width_;
  int agent_width_;
};

}  // namespace kpi::gen
