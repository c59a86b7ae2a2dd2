// Round-robin job scheduling over keys (see server/fair_scheduler.h).
#include "server/fair_scheduler.h"

#include <cstdio>
#include <exception>

namespace kpi::server {

FairScheduler::FairScheduler(int threads, int per_key_running, size_t per_key_queued,
                             std::function<void()> on_thread_start)
    : per_key_running_(per_key_running > 0 ? per_key_running : 1), per_key_queued_(per_key_queued) {
  int n = threads > 0 ? threads : 1;
  for (int i = 0; i < n; ++i)
    threads_.emplace_back([this, on_thread_start] {
      if (on_thread_start) on_thread_start();
      Run();
    });
}

FairScheduler::~FairScheduler() { Shutdown(); }

void FairScheduler::MaybeReady(const std::string& name, Key& key) {
  if (key.ready || key.jobs.empty() || key.running >= per_key_running_) return;
  key.ready = true;
  ready_.push_back(name);
  cv_.notify_one();
}

bool FairScheduler::Submit(const std::string& name, std::function<void()> job) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return false;
  Key& key = keys_[name];
  if (key.jobs.size() >= per_key_queued_) {
    if (key.jobs.empty() && key.running == 0) keys_.erase(name);
    return false;
  }
  key.jobs.push_back(std::move(job));
  ++queued_;
  MaybeReady(name, key);
  return true;
}

void FairScheduler::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return !ready_.empty() || (stopping_ && queued_ == 0); });
    if (ready_.empty()) return;  // stopping and nothing left
    std::string name = std::move(ready_.front());
    ready_.pop_front();
    Key& key = keys_[name];
    key.ready = false;
    std::function<void()> job = std::move(key.jobs.front());
    key.jobs.pop_front();
    --queued_;
    ++key.running;
    MaybeReady(name, key);  // its next job waits for its next turn
    lock.unlock();
    try {
      job();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "kpi serve: internal error in a job: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "kpi serve: internal error in a job\n");
    }
    job = nullptr;  // release captures before taking the lock
    lock.lock();
    Key& again = keys_[name];
    --again.running;
    if (again.jobs.empty() && again.running == 0) {
      keys_.erase(name);
    } else {
      MaybeReady(name, again);
    }
    if (stopping_ && queued_ == 0) cv_.notify_all();
  }
}

void FairScheduler::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

size_t FairScheduler::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queued_;
}

}  // namespace kpi::server
