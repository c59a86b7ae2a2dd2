// A random segment like the sealer builds, for codec tests (segment
// values round-tripped, and mutated by the hostile-input tests).
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "storage/segment.h"

namespace kpi::storage {

// A segment like the sealer builds: tickets with 1..9 time-sorted events;
// dimensions 16-18 carried together on each ticket's first event, 19 on
// some others; measures 30 and 31 together on `reply` (code 3) events, 32 on
// a few; ids on some events; corrections when asked.
inline Segment RandomSegment(uint32_t seed, bool corrections) {
  std::mt19937 rng(seed);
  Segment s;
  const uint32_t tickets = 50 + rng() % 200;
  int64_t created = 1'700'000'000'000 + rng() % 1'000'000;
  s.event_begin.push_back(0);
  s.dims.resize(4);
  s.measures.resize(3);
  for (uint32_t t = 0; t < tickets; ++t) {
    s.ticket_ids.push_back("T" + std::to_string(1000 + t));
    created += rng() % 60'000;
    int64_t time = created;
    const uint32_t events = 1 + rng() % 9;
    for (uint32_t e = 0; e < events; ++e) {
      const uint32_t row = static_cast<uint32_t>(s.time_ms.size());
      if (e > 0) time += (e == 1 ? rng() % 5'000 : rng() % 3'600'000) + (rng() % 50 == 0 ? 86'400'000 * 3 : 0);
      s.time_ms.push_back(time);
      const uint32_t code = e == 0 ? 1 : 2 + rng() % 4;
      s.event_code.push_back(code);
      s.agent_code.push_back(e == 0 ? 0 : 1 + rng() % 40);
      s.batch.push_back(1 + rng() % 7);
      if (rng() % 3 == 0) {
        s.id_rows.push_back(row);
        s.id_hashes.push_back((uint64_t{rng()} << 32) | rng());
      }
      if (e == 0) {
        for (uint32_t i : {0u, 1u, 2u}) s.dims[i].rows.push_back(row);
      }
      if (e > 0 && rng() % 4 == 0) s.dims[3].rows.push_back(row);
      if (code == 3) {
        s.measures[0].rows.push_back(row);
        s.measures[1].rows.push_back(row);
      }
      if (rng() % 10 == 0) s.measures[2].rows.push_back(row);
    }
    s.event_begin.push_back(static_cast<uint32_t>(s.time_ms.size()));
  }
  for (uint32_t i = 0; i < 4; ++i) {
    s.dims[i].column = 16 + i;
    for (size_t r = 0; r < s.dims[i].rows.size(); ++r) s.dims[i].codes.push_back(1 + rng() % (i == 0 ? 500 : 6));
  }
  for (uint32_t i = 0; i < 3; ++i) {
    s.measures[i].column = 30 + i;
    for (size_t r = 0; r < s.measures[i].rows.size(); ++r)
      s.measures[i].values.push_back(i == 1 ? (rng() % 10000) / 100.0 : double(rng() % 900));
  }
  if (corrections) {
    for (uint32_t r = 0; r < s.num_events(); r += 7) {
      s.revision_rows.push_back(r);
      s.revisions.push_back(1 + r % 3);
    }
    for (uint32_t r = 3; r < s.num_events(); r += 11) {
      s.dead_rows.push_back(r);
      s.dead_since.push_back(s.batch[r] + 1);
    }
  }
  return s;
}

}  // namespace kpi::storage
