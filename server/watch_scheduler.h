// WatchScheduler: runs the store's watches (`define watch`, query/watch/)
// on their schedules inside `kpi serve`.
//
// Schedule: a watch with `every E` runs at the instants of the store's
// clock that are a multiple of E plus the watch's phase: whole seconds in
// [0, E) from a hash of its name (every 10s: :03, :13, :23 ...), so that
// many watches of one period spread over it instead of starting together.
// Each run reads relative windows against its own instant
// (ExecOptions::now_ms), so its window does not depend on when a thread got
// to it. The
// definitions are re-read every `tick`: a new, changed or dropped watch is
// picked up within a tick.
// One run at a time per watch: when a watch's instant comes while its
// previous run is still going (or waiting), that instant is skipped and
// counted (`skipped`); so is every instant missed while the scheduler itself
// was late.
// Queries first: runs go through their own FairScheduler (server/fair_scheduler.h,
// round-robin over watches, so one slow watch never holds back the others)
// with `threads` threads whose CPU priority is lowered (nice), each run
// scanning with `exec_threads`. They never take an HTTP query thread, and
// under CPU contention the kernel serves the query threads first.
// Each finished run is one atomic store write (query/watch/watch_record.h):
// its rows (runs older than the watch's `keep` deleted), its state, and
// for a watch with `notify` the alert changes and webhook deliveries it
// makes (query/watch/alerts.h), handed to the WebhookSender. A failed run
// writes the state only (status failed, its error), and the watch is
// retried at its next instant.
// A watch owned by a scope runs under that scope (query/execution/scope.h).
// Where the watches live: the backend's metadata (query/catalog/meta_store.h),
// the local store's or a cluster's. Over a backend shared by several front
// ends (`options.lease` > 0), only the holder of the watch lease
// (server/watch_lease.h) runs watches; the others stand by, track nothing
// and take over when the lease runs out. Every change of leader starts from
// the stored state (runs, alerts) and its runs are recorded only while it
// still leads.
// Metrics: RenderPrometheus() gives the gauges of the latest run of every
// watch (server/watch_metrics.h); at start the latest stored run of each
// watch is loaded, so a restart exports the same values before the first run.
// Thread safety: Start/Stop from one controlling thread; RenderPrometheus
// and Stats from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "query/result.h"
#include "query/catalog/meta_store.h"
#include "query/watch/alerts.h"
#include "query/watch/watch_definition.h"
#include "query/watch/watch_record.h"
#include "query/watch/watch_runs.h"
#include "server/router.h"

namespace kpi::server {

class FairScheduler;
class WatchLease;
class WebhookSender;

struct WatchSchedulerOptions {
  int threads = 1;                              // watch runs at once
  int exec_threads = 1;                         // scan threads per run (ExecOptions::threads)
  int nice = 10;                                // added to the run threads' niceness (Linux)
  std::chrono::milliseconds run_timeout{60000};  // a run's deadline (capped at its watch's `every`)
  std::chrono::milliseconds tick{200};          // how often schedules and definitions are checked
  size_t max_result_rows = 100'000;             // a run with more rows fails
  // > 0: the metadata is shared by several front ends; run watches only
  // while holding the watch lease of this length (server/watch_lease.h).
  std::chrono::milliseconds lease{0};
  std::string lease_holder;                     // this front end's name in the lease (empty: a default)
};

class WatchScheduler {
 public:
  // `meta`: where the watches, their runs and alerts live (the local
  // store converts). `sender` may be null (deliveries then wait in the
  // store). `alert_mu` serializes alert writes with the sender's
  // (query/watch/alerts.h).
  WatchScheduler(query::MetaWriter meta, QueryRunner run, WebhookSender* sender, std::mutex* alert_mu,
                 WatchSchedulerOptions options);
  ~WatchScheduler();  // Stop()s
  WatchScheduler(const WatchScheduler&) = delete;
  WatchScheduler& operator=(const WatchScheduler&) = delete;

  void Start();
  // No new runs; running ones are cancelled (and not recorded); the lease,
  // if held, is released.
  void Stop();

  // True while this front end runs the watches (always without a lease).
  bool Leading() const;

  // The watch gauges (Prometheus text, server/watch_metrics.h).
  std::string RenderPrometheus() const;

  struct WatchStats {
    std::string name;
    query::WatchState state;
  };
  std::vector<WatchStats> Stats() const;

 private:
  struct Watch {
    query::WatchDefinition def;
    int64_t next_ms = 0;          // the next instant it is due
    bool busy = false;            // a run is queued or running
    query::WatchState state;
    std::deque<int64_t> run_times;  // stored runs, oldest first
    std::map<std::string, query::AlertRecord> alerts;  // by row key
    std::shared_ptr<const query::WatchRun> latest;      // the latest successful run
  };

  void Loop();
  void Refresh(int64_t now_ms);          // re-read the definitions
  void Load(Watch* w);                   // its stored runs, state and alerts
  void DueRuns(int64_t now_ms);
  // Checks the lease; on a change of leader forgets every watch (a new
  // leader loads them from the store). False: standing by.
  bool Lead(int64_t now_ms);
  void RunOne(std::string name, query::WatchDefinition def, int64_t run_ms, uint64_t epoch);
  void Finish(const std::string& name, const query::WatchDefinition& def, int64_t run_ms, uint64_t epoch,
              query::WatchRunOutcome outcome);

  query::MetaWriter meta_;
  QueryRunner run_;
  WebhookSender* sender_;
  std::mutex* alert_mu_;
  WatchSchedulerOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};  // set by Stop(): running watches abort
  std::map<std::string, Watch> watches_;  // GUARDED_BY(mu_)
  std::unique_ptr<WatchLease> lease_;     // null: no lease (one front end)
  bool leading_;                          // GUARDED_BY(mu_)
  bool told_ = false;                     // the first lease check was logged. GUARDED_BY(mu_)
  uint64_t epoch_ = 0;                    // changes of leader; a run of an older epoch is not recorded. GUARDED_BY(mu_)
  std::unique_ptr<FairScheduler> pool_;
  std::thread loop_;
};

}  // namespace kpi::server
