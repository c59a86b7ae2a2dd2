// WatchLease: which one of several `kpi serve` front ends over one shared
// backend (`--backend clickhouse`, docs/scale-out.md) runs the watches and
// sends their webhooks, so that an alert is judged and announced once, not
// once per front end. With the local store there is one process and no
// lease.
//
// The lease is one metadata entry (query/catalog/meta_store.h):
//   namespace "watch_lease", key "runner" -> {"holder":"<host>:<pid>:<nonce>","until_ms":T}
// Check(now) reads it at most every lease/3 (between checks it answers as
// the last one did):
//   - held by this front end and live (until > now): renewed (until = now +
//     lease); leading
//   - held by another front end and live: standby
//   - absent, expired or released: this front end writes its claim (until =
//     now + lease) and is a candidate, not yet leading; it leads from the
//     next check that reads its own claim back. Of two candidates that claim
//     at about the same time, the later write is what both read back (the
//     metadata keeps the newest version of a key), so one leads.
//   - reading or writing fails: standby (error() says why)
// Release() deletes the lease if this front end holds it (at shutdown), so
// another takes over at its next check instead of after the lease runs out.
//
// Guarantee: at most one front end leads at a time, provided the front
// ends' clocks agree within lease/3 and a check (one metadata read and one
// write) takes less than lease/3. A leader that cannot renew stops leading
// at that check; another takes over within lease + 2 * lease/3 of the last
// renewal. The instants a watch runs at are the same on every front end
// (server/watch_scheduler.h), so a takeover neither repeats nor skips runs
// beyond the instants that passed while nobody led.
// Thread safety: one thread calls Check and Release (the scheduler's loop).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "query/catalog/meta_store.h"

namespace kpi::server {

inline constexpr const char* kWatchLeaseNamespace = "watch_lease";
inline constexpr const char* kWatchLeaseKey = "runner";

class WatchLease {
 public:
  // `holder`: this front end's name in the lease (empty: DefaultHolder()).
  WatchLease(query::MetaWriter meta, std::chrono::milliseconds lease, std::string holder = "");

  // True while this front end runs the watches (until the next check).
  bool Check(int64_t now_ms);
  void Release();

  const std::string& holder() const { return holder_; }
  const std::string& error() const { return error_; }  // the last check's failure, if any
  bool claiming() const { return candidate_; }          // the last check wrote a claim

  // "<hostname>:<pid>:<8 random hex digits>".
  static std::string DefaultHolder();

 private:
  bool Read(std::string* holder, int64_t* until_ms);  // false: read failed (error_ set)
  bool Write(int64_t until_ms);                       // false: write failed (error_ set)

  query::MetaWriter meta_;
  int64_t lease_ms_;
  std::string holder_;
  std::string error_;
  int64_t next_check_ms_ = 0;
  bool candidate_ = false;  // claimed at the last check
  bool leading_ = false;
};

}  // namespace kpi::server
