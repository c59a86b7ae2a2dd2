// FairScheduler: a fixed pool of threads that runs jobs fairly across keys
// (a bearer token, or the client address when there is none).
//
// Each key has its own FIFO queue; threads take jobs round-robin over the
// keys that have work, and at most `per_key_running` jobs of one key run at
// once. So a client that sends twenty heavy queries queues behind itself:
// with 2 threads and per_key_running 1, another client's light query starts
// as soon as a thread is free, never after the heavy client's backlog.
// A key's queue holds at most `per_key_queued` jobs; Submit() refuses more
// (the server answers 429).
// Shutdown(): no new jobs; the threads finish every queued job, then exit.
// `on_thread_start`, when given, runs first on each pool thread (the watch
// scheduler lowers its threads' CPU priority there, server/watch_scheduler.h).
// Thread safety: Submit from any thread; Shutdown from one controlling
// thread, not from a job.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace kpi::server {

class FairScheduler {
 public:
  FairScheduler(int threads, int per_key_running, size_t per_key_queued,
                std::function<void()> on_thread_start = nullptr);
  ~FairScheduler();  // Shutdown()s
  FairScheduler(const FairScheduler&) = delete;
  FairScheduler& operator=(const FairScheduler&) = delete;

  // False (and `job` dropped) when the key's queue is full or shutting down.
  bool Submit(const std::string& key, std::function<void()> job);
  void Shutdown();

  size_t queued() const;

 private:
  struct Key {
    std::deque<std::function<void()>> jobs;
    int running = 0;
    bool ready = false;  // in ready_
  };
  void Run();
  // Puts `key` at the back of the round if it has work it may start.
  void MaybeReady(const std::string& name, Key& key);

  const int per_key_running_;
  const size_t per_key_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<std::string, Key> keys_;  // GUARDED_BY(mu_)
  std::list<std::string> ready_;  // keys with a job they may start, in turn order
  size_t queued_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace kpi::server
