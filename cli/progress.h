// Progress reporting for long CLI commands (ingest, gen).
//
// The worker threads only bump counters (items done, bytes read) and set a
// phase label; a ticker thread owned by the Progress object samples them and
// draws on its stream:
//   * kBar (a terminal): one line redrawn in place about 8 times a second,
//     "ingest [#####.....]  42%  1,234,567 events read, 1,200,000 committed  812,345/s  123.4 MB  ETA 12s"
//     (the bar, % and ETA only when the total size is known; after
//     "committed", ", 5,000,000 skipped as already stored" once known chunks
//     were skipped: the rate counts those events too);
//   * kLines (a file or pipe): a plain line every ~2 seconds;
//   * kOff: nothing.
// Print() writes a whole line (a reject, a warning) without tearing the bar.
// Render() is the pure rendering used by the ticker, exposed for tests.
// Thread safety: Add*/SetPhase/Print may be called from any thread; Start and
// Finish from the owning thread. The destructor calls Finish().
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

namespace kpi::cli {

enum class ProgressMode { kOff, kLines, kBar };

// kBar when `stream` is a terminal, kLines otherwise (or kOff when quiet).
ProgressMode ChooseProgressMode(std::FILE* stream, bool quiet);

struct ProgressSample {
  std::string label;        // "ingest", "gen"
  std::string unit;         // "events"
  std::string phase;        // "" or e.g. "sealing"
  uint64_t items = 0;
  // ingest: events committed (staged durably), shown after the items read
  // once set: what survives if the process dies now.
  bool has_committed = false;
  uint64_t committed = 0;
  uint64_t known = 0;       // ingest: events of known chunks skipped (0: not shown)
  uint64_t bytes = 0;       // 0: not shown
  uint64_t total_bytes = 0; // 0: unknown (no %, no ETA)
  double elapsed_s = 0;
};

// One progress line without a trailing newline; `bar` adds the [###...] gauge.
std::string RenderProgress(const ProgressSample& sample, bool bar);

class Progress {
 public:
  Progress(std::FILE* stream, ProgressMode mode, std::string label, std::string unit);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void SetTotalBytes(uint64_t total) { total_bytes_.store(total, std::memory_order_relaxed); }
  void SetItems(uint64_t n) { items_.store(n, std::memory_order_relaxed); }
  void AddItems(uint64_t n) { items_.fetch_add(n, std::memory_order_relaxed); }
  void SetCommitted(uint64_t n) {
    committed_.store(n, std::memory_order_relaxed);
    has_committed_.store(true, std::memory_order_relaxed);
  }
  void SetKnown(uint64_t n) { known_.store(n, std::memory_order_relaxed); }
  void SetBytes(uint64_t n) { bytes_.store(n, std::memory_order_relaxed); }
  void SetPhase(const std::string& phase);

  void Start();   // starts the ticker (no-op for kOff)
  void Finish();  // stops the ticker and erases the bar; idempotent
  // Writes `line` and a newline, clearing the bar first when one is shown.
  void Print(const std::string& line);

  double ElapsedSeconds() const;

 private:
  ProgressSample Sample() const;
  void Run();

  std::FILE* stream_;
  const ProgressMode mode_;
  const std::string label_, unit_;
  const std::chrono::steady_clock::time_point start_;
  std::atomic<uint64_t> items_{0}, bytes_{0}, total_bytes_{0}, committed_{0}, known_{0};
  std::atomic<bool> has_committed_{false};

  mutable std::mutex mu_;  // guards phase_, stop_, bar_shown_ and writes to stream_
  std::condition_variable cv_;
  std::string phase_;
  bool stop_ = false;
  bool bar_shown_ = false;
  std::thread ticker_;
};

}  // namespace kpi::cli
