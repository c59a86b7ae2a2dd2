// Running watches on their schedules (see server/watch_scheduler.h).
#include "server/watch_scheduler.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "query/catalog/definition_store.h"
#include "query/engine.h"
#include "query/watch/watch_record.h"
#include "server/fair_scheduler.h"
#include "server/watch_lease.h"
#include "server/watch_metrics.h"
#include "server/webhook_sender.h"

namespace kpi::server {

namespace {

using Clock = std::chrono::steady_clock;

// A watch's offset within its period: whole seconds from a hash of its
// name, so that watches of one period spread over it instead of all
// starting at the same instant.
int64_t Phase(const std::string& name, int64_t every_ms) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  const int64_t seconds = every_ms / 1000;
  return seconds > 1 ? static_cast<int64_t>(h % static_cast<uint64_t>(seconds)) * 1000 : 0;
}

// The watch's first instant after `now`: a multiple of `every` plus its phase.
int64_t NextInstant(int64_t now_ms, int64_t every_ms, int64_t phase_ms) {
  return ((now_ms - phase_ms) / every_ms + 1) * every_ms + phase_ms;
}

// Lowers the calling thread's CPU priority by `nice` (Linux: per thread).
void LowerPriority(int nice) {
  if (nice <= 0) return;
  const id_t tid = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, tid);
  if (errno == 0) setpriority(PRIO_PROCESS, tid, std::min(current + nice, 19));
}

}  // namespace

WatchScheduler::WatchScheduler(query::MetaWriter meta, QueryRunner run, WebhookSender* sender, std::mutex* alert_mu,
                               WatchSchedulerOptions options)
    : meta_(std::move(meta)), run_(std::move(run)), sender_(sender), alert_mu_(alert_mu), options_(options),
      leading_(options.lease.count() <= 0) {
  if (options_.lease.count() > 0) lease_ = std::make_unique<WatchLease>(meta_, options_.lease, options_.lease_holder);
}

WatchScheduler::~WatchScheduler() { Stop(); }

void WatchScheduler::Start() {
  const int nice = options_.nice;
  // Each watch queues at most one run: a second would be a skipped instant.
  pool_ = std::make_unique<FairScheduler>(std::max(options_.threads, 1), 1, 1, [nice] { LowerPriority(nice); });
  loop_ = std::thread([this] { Loop(); });
}

void WatchScheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cancel_.store(true);
  cv_.notify_all();
  if (loop_.joinable()) loop_.join();
  if (pool_) pool_->Shutdown();
  if (lease_) lease_->Release();  // the loop has ended: this thread is the lease's only user now
}

bool WatchScheduler::Leading() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leading_;
}

bool WatchScheduler::Lead(int64_t now_ms) {
  if (!lease_) return true;
  const bool lead = lease_->Check(now_ms);
  const bool claiming = !lead && lease_->claiming();  // leads from the next check, or learns who does
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (lead == leading_ && (told_ || claiming)) return lead;
    if (!claiming) told_ = true;
    leading_ = lead;
    ++epoch_;
    watches_.clear();
  }
  if (lead) {
    std::fprintf(stderr, "kpi serve: watches: this front end (%s) holds the watch lease and runs them\n",
                 lease_->holder().c_str());
  } else if (!claiming) {
    std::fprintf(stderr, "kpi serve: watches: this front end (%s) stands by (%s)\n", lease_->holder().c_str(),
                 lease_->error().empty() ? "another holds the watch lease" : lease_->error().c_str());
  }
  if (sender_ != nullptr) sender_->Wake();  // it sends only while this front end leads
  return lead;
}

void WatchScheduler::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    const int64_t now = meta_.NowMs();
    if (Lead(now)) {
      Refresh(now);
      DueRuns(now);
    }
    lock.lock();
    cv_.wait_for(lock, options_.tick, [this] { return stopping_; });
  }
}

void WatchScheduler::Refresh(int64_t now_ms) {
  query::DefinitionMap defs;
  if (!query::LoadDefinitions(meta_, query::DefinitionKind::kWatch, &defs).ok()) return;
  std::vector<std::string> fresh;  // new watches, loaded below without the lock
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = watches_.begin(); it != watches_.end();)
      it = defs.count(it->first) ? std::next(it) : watches_.erase(it);
    for (const auto& [name, stored] : defs) {
      auto it = watches_.find(name);
      if (it != watches_.end() && it->second.def.text == stored.text && it->second.def.owner == stored.owner) continue;
      query::WatchDefinition def;
      std::string why;
      if (!query::WatchFromStored(stored, &def, &why)) continue;  // `show watches` says why
      if (it == watches_.end()) {
        Watch w;
        w.def = std::move(def);
        w.next_ms = NextInstant(now_ms, w.def.every_ms, Phase(name, w.def.every_ms));
        watches_.emplace(name, std::move(w));
        fresh.push_back(name);
      } else {  // redefined: its history and alerts go on
        if (it->second.def.every_ms != def.every_ms)
          it->second.next_ms = NextInstant(now_ms, def.every_ms, Phase(name, def.every_ms));
        it->second.def = std::move(def);
      }
    }
  }
  for (const std::string& name : fresh) {
    Watch loaded;
    loaded.def.name = name;
    Load(&loaded);
    std::lock_guard<std::mutex> lock(mu_);
    auto it = watches_.find(name);
    if (it == watches_.end()) continue;
    it->second.state = loaded.state;
    it->second.run_times = std::move(loaded.run_times);
    it->second.alerts = std::move(loaded.alerts);
    it->second.latest = std::move(loaded.latest);
  }
}

void WatchScheduler::Load(Watch* w) {
  query::WatchBook book;
  query::LoadWatchBook(meta_, w->def.name, &book, &w->latest);  // what does not read starts empty
  w->state = book.state;
  w->run_times = std::move(book.run_times);
  w->alerts = std::move(book.alerts);
}

void WatchScheduler::DueRuns(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return;
  for (auto& [name, w] : watches_) {
    if (w.next_ms > now_ms) continue;
    const int64_t every = w.def.every_ms;
    const int64_t missed = (now_ms - w.next_ms) / every;  // instants passed while the scheduler was late
    const int64_t run_ms = w.next_ms + missed * every;
    w.next_ms = run_ms + every;
    w.state.skipped += static_cast<uint64_t>(missed);
    if (w.busy) {
      ++w.state.skipped;
      continue;
    }
    w.busy = true;
    if (!pool_->Submit(name, [this, name = name, def = w.def, run_ms, epoch = epoch_] {
          RunOne(name, def, run_ms, epoch);
        })) {
      w.busy = false;
      ++w.state.skipped;
    }
  }
}

void WatchScheduler::RunOne(std::string name, query::WatchDefinition def, int64_t run_ms, uint64_t epoch) {
  query::ExecOptions options;
  options.threads = std::max(options_.exec_threads, 1);
  options.now_ms = run_ms;
  options.max_result_rows = options_.max_result_rows;
  options.cancel = &cancel_;
  const auto timeout = std::min<std::chrono::milliseconds>(options_.run_timeout, std::chrono::milliseconds(def.every_ms));
  options.deadline = Clock::now() + timeout;
  Finish(name, def, run_ms, epoch, query::RunWatchStatement(def, std::move(options), run_));
}

void WatchScheduler::Finish(const std::string& name, const query::WatchDefinition& def, int64_t run_ms,
                            uint64_t epoch, query::WatchRunOutcome outcome) {
  if (cancel_.load()) return;  // shutting down: the run was cut short, not failed
  std::lock_guard<std::mutex> alerts_lock(*alert_mu_);
  query::WatchBook book;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = watches_.find(name);
    if (it == watches_.end() || epoch != epoch_) return;  // dropped while it ran, or the lease moved
    it->second.busy = false;
    book.state = it->second.state;
    book.run_times = it->second.run_times;
    book.alerts = it->second.alerts;
  }
  const query::RecordedRun recorded =
      query::RecordRun(def, run_ms, std::move(outcome), &book);
  const Status written = meta_.WriteMeta(recorded.writes);
  if (!written.ok()) {
    std::fprintf(stderr, "kpi serve: watch %s: cannot store its run: %s\n", name.c_str(), written.ToString().c_str());
    book.state.last_ok = false;
    book.state.error = "cannot store the run: " + written.ToString();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = watches_.find(name);
    if (it == watches_.end() || epoch != epoch_) return;
    // Instants skipped while this run went on were counted on the live state.
    const uint64_t skipped = it->second.state.skipped;
    it->second.state = book.state;
    it->second.state.skipped = std::max(skipped, book.state.skipped);
    if (written.ok() && recorded.run) {
      it->second.run_times = std::move(book.run_times);
      query::ApplyAlerts(recorded.update, &it->second.alerts);
      it->second.latest = recorded.run;
    }
  }
  if (written.ok() && !recorded.update.deliveries.empty() && sender_ != nullptr) sender_->Wake();
}

std::string WatchScheduler::RenderPrometheus() const {
  std::vector<WatchMetricsInput> inputs;
  bool leading = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, w] : watches_) inputs.push_back({w.def, w.state, w.latest});
    leading = leading_;
  }
  std::string out = RenderWatchMetrics(inputs);
  if (lease_)
    out += "# HELP kpistore_watch_runner 1 while this front end holds the watch lease and runs the watches.\n"
           "# TYPE kpistore_watch_runner gauge\n"
           "kpistore_watch_runner " + std::string(leading ? "1" : "0") + "\n";
  return out;
}

std::vector<WatchScheduler::WatchStats> WatchScheduler::Stats() const {
  std::vector<WatchStats> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, w] : watches_) out.push_back({name, w.state});
  return out;
}

}  // namespace kpi::server
