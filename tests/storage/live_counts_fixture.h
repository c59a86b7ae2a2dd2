// Test fixtures for zone-map live counts (storage/zone_map.h), shared by the
// storage and query tests (header only, so each suite compiles it):
//
// - CorrectionHistory: batches holding every kind of change the live counts
//   must follow: events with and without ids, revised copies (which hide the
//   sealed copy), retractions of sealed events, retractions of ids never
//   seen (stored rows that are never visible: a ticket made only of them
//   has no visible row), duplicates, and small late batches on the same
//   tickets (delta parts when the store allows them).
// - DowngradeToFormat3: rewrites a closed store's zone maps in the layout of
//   stores of formats 1-3 (zone map version 1, no live counts) and stamps
//   it 3, as a store written before live counts existed.
// - StoredFormat: the store format stamp of a closed store.
#pragma once

#include <rocksdb/db.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/keys.h"
#include "storage/raw_event.h"
#include "storage/segment_parts.h"

namespace kpi::testing {

inline std::vector<std::vector<RawEvent>> CorrectionHistory(uint64_t seed, int tickets) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  const int64_t start = 1735689600000;  // 2025-01-01T00:00:00Z
  const char* names[] = {"agent_reply", "resolved", "rated", "reopened"};
  std::vector<RawEvent> base;
  for (int t = 0; t < tickets; ++t) {
    const std::string ticket = "T" + std::to_string(1000 + t);
    int64_t ts = start + static_cast<int64_t>(rng() % (5 * 86400000ULL));
    RawEvent created;
    created.ts_ms = ts;
    created.ticket = ticket;
    created.event = "created";
    created.dims = {{"channel", pick(2) == 0 ? "chat" : "email"}};
    if (pick(2) == 0) created.id = ticket + "-c";
    base.push_back(created);
    for (int i = 0, n = pick(5); i < n; ++i) {
      RawEvent e;
      e.ts_ms = ts += 1 + pick(3'600'000);
      e.ticket = ticket;
      e.event = names[pick(4)];
      if (e.event == "agent_reply") e.agent = "a" + std::to_string(pick(4));
      if (e.event == "rated") e.measures = {{"csat", double(1 + pick(5))}};
      if (pick(3) != 0) e.id = ticket + "-" + std::to_string(i);
      base.push_back(e);
    }
  }
  std::shuffle(base.begin(), base.end(), rng);
  std::vector<std::vector<RawEvent>> out;
  for (size_t i = 0; i < base.size(); i += 37)
    out.emplace_back(base.begin() + i, base.begin() + std::min(base.size(), i + 37));
  // Corrections of sealed events: revisions and retractions.
  std::vector<RawEvent> fixes;
  for (size_t i = 0; i < base.size(); i += 7) {
    if (base[i].id.empty()) continue;
    RawEvent fix = base[i];
    fix.revision = 2;
    if (pick(2) == 0) fix.retract = true;
    else fix.ts_ms += 60'000;
    fixes.push_back(fix);
  }
  // Retractions of ids never seen: on new tickets (which then hold no
  // visible row) and on existing ones.
  for (int k = 0; k < 6; ++k) {
    RawEvent r;
    r.ts_ms = start + k * 3'600'000;
    r.ticket = k % 2 == 0 ? "R" + std::to_string(k) : "T" + std::to_string(1000 + pick(tickets));
    r.event = "resolved";
    r.id = "never-" + std::to_string(k);
    r.revision = 1;
    r.retract = true;
    fixes.push_back(r);
  }
  for (size_t i = 0; i < fixes.size(); i += 9)
    out.emplace_back(fixes.begin() + i, fixes.begin() + std::min(fixes.size(), i + 9));
  out.emplace_back(base.begin(), base.begin() + std::min<size_t>(base.size(), 50));  // duplicates
  // Small late batches on the same tickets (and a few new ones).
  for (int b = 0; b < 8; ++b) {
    std::vector<RawEvent> late;
    for (int k = 0; k < 5; ++k) {
      RawEvent e;
      e.ticket = "T" + std::to_string(1000 + pick(tickets + 3));
      e.ts_ms = start + static_cast<int64_t>(rng() % (6 * 86400000ULL));
      e.event = names[pick(4)];
      late.push_back(e);
    }
    out.push_back(late);
  }
  // A retraction-only ticket that later gets a visible event, and a copy
  // retracting a late event.
  RawEvent revive;
  revive.ts_ms = start + 7'200'000;
  revive.ticket = "R0";
  revive.event = "created";
  out.push_back({revive});
  return out;
}

// Opens the closed store at `dir` with every column family, runs `f(db,
// handles by name)`, closes it.
template <typename F>
inline bool WithRawStore(const std::string& dir, F f) {
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok()) return false;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::Open(rocksdb::DBOptions(), dir, families, &handles, &db).ok()) return false;
  auto handle = [&](const std::string& name) -> rocksdb::ColumnFamilyHandle* {
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return handles[i];
    return nullptr;
  };
  const bool ok = f(db, handle);
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
  return ok;
}

inline bool DowngradeToFormat3(const std::string& dir) {
  return WithRawStore(dir, [](rocksdb::DB* db, auto handle) {
    rocksdb::WriteBatch wb;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handle("zones")));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string value = it->value().ToString();
      storage::SegmentRef ref;
      if (!storage::DecodeZoneValue(value, &ref).ok()) return false;
      std::string current;
      ref.zone.Encode(&current);
      std::string old = value.substr(0, value.size() - current.size());  // generation (and deltas)
      ref.zone.Encode(&old, 1);
      wb.Put(handle("zones"), it->key(), old);
    }
    std::string fmt;
    storage::PutBigEndian32(&fmt, 3);
    wb.Put(handle("catalog"), storage::kFormatKey, fmt);
    return it->status().ok() && db->Write(rocksdb::WriteOptions(), &wb).ok();
  });
}

inline uint32_t StoredFormat(const std::string& dir) {
  uint32_t version = 0;
  WithRawStore(dir, [&](rocksdb::DB* db, auto handle) {
    std::string v;
    if (db->Get(rocksdb::ReadOptions(), handle("catalog"), storage::kFormatKey, &v).ok() && v.size() == 4)
      version = storage::GetBigEndian32(v.data());
    return true;
  });
  return version;
}

}  // namespace kpi::testing
