// Progress bar and periodic progress lines (see cli/progress.h).
#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "cli/format.h"

namespace kpi::cli {

namespace {

constexpr auto kBarInterval = std::chrono::milliseconds(125);
constexpr auto kLineInterval = std::chrono::seconds(2);
constexpr int kBarWidth = 24;

}  // namespace

ProgressMode ChooseProgressMode(std::FILE* stream, bool quiet) {
  if (quiet) return ProgressMode::kOff;
  return isatty(fileno(stream)) ? ProgressMode::kBar : ProgressMode::kLines;
}

std::string RenderProgress(const ProgressSample& s, bool bar) {
  std::string out = s.label;
  const bool known = s.total_bytes > 0;
  const double fraction = known ? std::min(1.0, static_cast<double>(s.bytes) / static_cast<double>(s.total_bytes)) : 0;
  if (bar && known) {
    int filled = static_cast<int>(fraction * kBarWidth);
    out += " [" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "]";
  }
  char buf[64];
  if (known) {
    std::snprintf(buf, sizeof(buf), " %3d%%", static_cast<int>(fraction * 100));
    out += buf;
  }
  out += "  " + FormatCount(s.items) + " " + s.unit;
  if (s.has_committed) out += " read, " + FormatCount(s.committed) + " committed";
  if (s.known > 0) out += ", " + FormatCount(s.known) + " skipped as already stored";
  if (s.elapsed_s > 0) {
    const double done = static_cast<double>(s.items + s.known);
    out += "  " + FormatCount(static_cast<uint64_t>(done / s.elapsed_s)) + " " + s.unit + "/s";
  }
  if (s.bytes > 0) {
    std::snprintf(buf, sizeof(buf), "  %.1f MB", static_cast<double>(s.bytes) / 1e6);
    out += buf;
  }
  if (!s.phase.empty()) {
    out += "  (" + s.phase + ")";
  } else if (known && s.bytes > 0 && s.bytes < s.total_bytes && s.elapsed_s >= 1) {
    double rate = static_cast<double>(s.bytes) / s.elapsed_s;
    double eta = static_cast<double>(s.total_bytes - s.bytes) / rate;
    out += "  ETA " + FormatDuration(std::ceil(eta));
  }
  out += "  " + FormatDuration(std::floor(s.elapsed_s)) + " elapsed";
  return out;
}

Progress::Progress(std::FILE* stream, ProgressMode mode, std::string label, std::string unit)
    : stream_(stream),
      mode_(mode),
      label_(std::move(label)),
      unit_(std::move(unit)),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() { Finish(); }

void Progress::SetPhase(const std::string& phase) {
  std::lock_guard lock(mu_);
  phase_ = phase;
}

double Progress::ElapsedSeconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

ProgressSample Progress::Sample() const {
  ProgressSample s;
  s.label = label_;
  s.unit = unit_;
  s.items = items_.load(std::memory_order_relaxed);
  s.has_committed = has_committed_.load(std::memory_order_relaxed);
  s.committed = committed_.load(std::memory_order_relaxed);
  s.known = known_.load(std::memory_order_relaxed);
  s.bytes = bytes_.load(std::memory_order_relaxed);
  s.total_bytes = total_bytes_.load(std::memory_order_relaxed);
  s.elapsed_s = ElapsedSeconds();
  return s;
}

void Progress::Start() {
  if (mode_ == ProgressMode::kOff || ticker_.joinable()) return;
  ticker_ = std::thread([this] { Run(); });
}

void Progress::Run() {
  const auto interval = mode_ == ProgressMode::kBar ? std::chrono::duration_cast<std::chrono::milliseconds>(kBarInterval)
                                                    : std::chrono::duration_cast<std::chrono::milliseconds>(kLineInterval);
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (cv_.wait_for(lock, interval, [this] { return stop_; })) break;
    lock.unlock();
    ProgressSample s = Sample();
    lock.lock();
    s.phase = phase_;
    if (mode_ == ProgressMode::kBar) {
      std::fprintf(stream_, "\r\033[K%s", RenderProgress(s, true).c_str());
      bar_shown_ = true;
    } else {
      std::fprintf(stream_, "%s\n", RenderProgress(s, false).c_str());
    }
    std::fflush(stream_);
  }
}

void Progress::Finish() {
  {
    std::lock_guard lock(mu_);
    if (stop_ && !ticker_.joinable()) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  std::lock_guard lock(mu_);
  if (bar_shown_) {
    std::fputs("\r\033[K", stream_);
    std::fflush(stream_);
    bar_shown_ = false;
  }
}

void Progress::Print(const std::string& line) {
  std::lock_guard lock(mu_);
  if (bar_shown_) {
    std::fputs("\r\033[K", stream_);
    bar_shown_ = false;  // redrawn at the next tick
  }
  std::fprintf(stream_, "%s\n", line.c_str());
  std::fflush(stream_);
}

}  // namespace kpi::cli
