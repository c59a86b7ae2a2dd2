// `kpi ingest` (see cli/ingest_command.h).
#include "cli/ingest_command.h"

#include <sys/prctl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <thread>

#include "cli/allocator_decay.h"
#include "cli/backend_ingest.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/ingest_common.h"
#include "cli/input_pipeline.h"
#include "cli/progress.h"
#include "storage/compact.h"
#include "storage/ingest/checkpoint.h"
#include "storage/ingest/known_chunk_recorder.h"
#include "storage/ingest/known_chunks.h"
#include "storage/memory_budget.h"
#include "storage/memory_release.h"
#include "storage/memory_trace.h"
#include "storage/process_memory.h"
#include "storage/store.h"

namespace kpi::cli {

namespace {

// Sum of the inputs' sizes, or 0 when one of them has no known size (stdin, a pipe).
uint64_t TotalInputBytes(const std::vector<std::string>& files) {
  uint64_t total = 0;
  for (const std::string& f : files) {
    std::error_code ec;
    if (f == "-" || !std::filesystem::is_regular_file(f, ec)) return 0;
    uint64_t size = std::filesystem::file_size(f, ec);
    if (ec) return 0;
    total += size;
  }
  return total;
}

struct Reject {
  uint64_t line;
  std::string reason;
};

class Ingest {
 public:
  Ingest(const IngestFlags& flags, std::FILE* out, std::FILE* err)
      : flags_(flags),
        out_(out),
        err_(err),
        seal_events_(flags.seal_events),
        max_staged_events_(flags.max_staged_events),
        batch_events_(flags.batch_events) {}
  int Run();

 private:
  // Stages one batch, honouring max_errors; false when the ingest must stop.
  bool StageBatch(InputBatch* batch);
  bool Seal();
  // Seals in the background so staging (and parsing) go on meanwhile; at most
  // one seal runs. FinishSeal waits for it; false on a store failure.
  void StartSeal();
  bool FinishSeal();
  // Starts a background seal now, or defers it while arrival is scattered
  // (see the definition); false on a store failure.
  bool MaybeStartSeal();
  // Under memory pressure (resident memory past kPressure of the limit):
  // waits for the running seal, then seals what is staged without deferring.
  bool RelieveMemory();
  // Sizes the store's caches and the seal thresholds from --memory-limit;
  // false (after a message) when the flag does not parse.
  bool ApplyMemoryLimit(storage::StoreOptions* options);
  // Adds a seal's counts.
  void NoteSeal(const storage::IngestStats& stats);
  // Events this ingest's seals wrote: new ones and the sealed ones they
  // re-encoded.
  uint64_t SealedAndRewritten() {
    std::lock_guard lock(stats_mu_);
    return stats_.accepted + stats_.events_rewritten;
  }
  // Events the store holds (from the zone maps: no segment is read).
  uint64_t StoreEvents() const {
    uint64_t events = 0;
    for (const storage::SegmentRef& ref : store_->GetSnapshot()->Plan(storage::ScanSpec(), nullptr))
      events += ref.zone.num_events;
    return events;
  }
  bool OverLimit() const { return flags_.max_errors >= 0 && static_cast<int64_t>(rejects_->total()) > flags_.max_errors; }
  void PrintSummary(double elapsed_s, uint64_t events_read);
  // Identifies each regular input (for its checkpoint) and, with --resume,
  // tells `pipeline` where each unchanged input was committed to.
  void PrepareCheckpoints(InputPipeline* pipeline);

  const IngestFlags& flags_;
  std::FILE* out_;
  std::FILE* err_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Progress> progress_;
  std::unique_ptr<RejectLog> rejects_;
  const std::vector<std::string>* inputs_ = nullptr;
  storage::IngestStats stats_;
  uint64_t files_read_ = 0, lines_ = 0;
  bool io_error_ = false, store_error_ = false, aborted_ = false;
  bool spilling_ = false;  // arrival is scattered: staged events are spilled, sealed at the end
  std::future<Status> sealing_;
  std::mutex stats_mu_;  // stats_ is updated by the background seal
  uint64_t staged_at_seal_start_ = 0;  // staged_events() when the running seal started
  uint64_t seal_events_, max_staged_events_;  // the flags', lowered to fit the memory limit
  size_t batch_events_;                        // likewise
  size_t memory_limit_ = 0;  // bytes; 0: none
  struct Tracked {
    std::string key;
    ingest::InputIdentity identity;
  };
  std::vector<std::optional<Tracked>> tracked_;  // by input: files that get checkpoints
  uint64_t lines_skipped_ = 0;
  std::unique_ptr<ingest::StoreKnownChunks> known_chunks_;  // unless --no-skip-known
  ingest::KnownChunkRecorder chunks_;
};

void Ingest::PrepareCheckpoints(InputPipeline* pipeline) {
  tracked_.assign(flags_.files.size(), std::nullopt);
  for (size_t i = 0; i < flags_.files.size(); ++i) {
    const std::string& file = flags_.files[i];
    Tracked t;
    if (file == "-" || !ingest::IdentifyInput(file, &t.identity).ok()) continue;  // no checkpoint
    t.key = ingest::CheckpointKey(file);
    std::string value;
    ingest::Checkpoint c;
    if (flags_.resume && store_->GetMeta(ingest::kCheckpointNamespace, t.key, &value).ok() &&
        ingest::DecodeCheckpoint(value, &c)) {
      const std::string change = ingest::IdentityChange(c.identity, t.identity);
      if (!change.empty()) {
        progress_->Print("kpi ingest: " + file + " changed since its checkpoint (" + change +
                         "): reading it from line 1");
      } else if (c.complete) {
        progress_->Print("kpi ingest: " + file + ": already committed to its end (" + FormatCount(c.line - 1) +
                         " lines), skipped");
        pipeline->ResumeAt(i, c.offset, c.line, true);
      } else if (c.line > 1) {
        progress_->Print("kpi ingest: " + file + ": resuming at line " + FormatCount(c.line) + " (" +
                         FormatCount(c.line - 1) + " lines committed before)");
        pipeline->ResumeAt(i, c.offset, c.line, false);
      }
    }
    tracked_[i] = std::move(t);
  }
}

int Ingest::Run() {
  ingest::ReaderOptions options;
  RejectsFile rejects_file(nullptr, &std::fclose);
  if (!PrepareIngest(flags_, &options, &rejects_file, err_)) return kExitUsage;
  storage::StoreOptions store_options;
  store_options.sync = !flags_.no_sync;
  store_options.cache_bytes = size_t{256} << 20;  // sealing re-reads few segments; bound memory
  // Bulk seals are large: delta parts would save little re-encoding and leave
  // the replaced values of their later folds on disk (measured on 1M
  // shuffled tickets at the default memory limit: 7.4 -> 9.7 bytes/event
  // right after the load, same CPU). They are for small seals (the server).
  store_options.max_deltas_per_segment = 0;
  if (!ApplyMemoryLimit(&store_options)) return kExitUsage;
  Status s = storage::Store::Open(flags_.db, store_options, &store_);
  if (!s.ok()) {
    std::fprintf(err_, "kpi ingest: cannot open store %s: %s\n", flags_.db.c_str(), s.ToString().c_str());
    return kExitUsage;
  }

  // Content-defined chunks: a chunk committed before is skipped unparsed
  // (storage/ingest/content_chunks.h); every chunk read is recorded.
  options.chunks = true;
  if (!flags_.no_skip_known) {
    known_chunks_ = std::make_unique<ingest::StoreKnownChunks>(store_.get());
    options.known_chunks = known_chunks_.get();
  }

  progress_ = std::make_unique<Progress>(err_, ChooseProgressMode(err_, flags_.quiet), "ingest", "events");
  progress_->SetTotalBytes(TotalInputBytes(flags_.files));
  rejects_ = std::make_unique<RejectLog>(rejects_file.get(), progress_.get());
  InputPipeline pipeline(flags_.files, options, batch_events_);
  inputs_ = &pipeline.inputs();
  PrepareCheckpoints(&pipeline);
  pipeline.Start();
  progress_->SetCommitted(0);
  progress_->Start();
  // KPI_MEMORY_TRACE (storage/memory_trace.h): a line a second besides the seals' own.
  std::jthread ticker;
  if (storage::MemoryTraceEnabled()) {
    ticker = std::jthread([&](std::stop_token stop) {
      for (int tick = 1; !stop.stop_requested(); ++tick) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (tick % 10 == 0) {
          // With the value index's lookups and block reads: what staging's
          // paged dictionaries cost (docs/operations.md).
          const storage::DictionaryStats d = store_->catalog().Stats();
          storage::TraceMemory("tick", "read " + std::to_string(pipeline.events_read()) + " staged " +
                                           std::to_string(store_->staged_events()) + " values " +
                                           std::to_string(d.value_lookups) + "/" + std::to_string(d.value_found) +
                                           " blocks " + std::to_string(d.value_blocks.hits) + "+" +
                                           std::to_string(d.value_blocks.misses));
        }
      }
    });
  }

  InputBatch batch;
  bool keep_going = true;
  std::vector<bool> opened(flags_.files.size(), false);  // inputs whose reading began
  while (keep_going && pipeline.Pop(&batch)) {
    if (batch.error.ok() || batch.lines > 0) opened[batch.input] = true;
    progress_->SetItems(pipeline.events_read());
    progress_->SetKnown(pipeline.events_known());
    progress_->SetBytes(pipeline.bytes_read());
    keep_going = StageBatch(&batch);
    if (!keep_going) break;
    if (!batch.error.ok()) {
      io_error_ = true;
      progress_->Print("kpi ingest: " + NameInput(pipeline.inputs()[batch.input], batch.error));
    }
    lines_ += batch.lines;
    // Seal in the background: as soon as the last seal is done and
    // `seal_events` are staged (the sealing core never idles while work
    // waits), or, while one runs, once `seal_events` more piled up behind it
    // (then wait for it: memory stays bounded by about two such sets).
    // Under a memory limit, pressure seals at once (RelieveMemory).
    if (memory_limit_ > 0 && !RelieveMemory()) {
      keep_going = false;
      break;
    }
    // Spilled (scattered arrival, MaybeStartSeal): no seal until the end.
    if (spilling_) {
      store_->SpillStaged();  // again: a seal under memory pressure ended it
      continue;
    }
    bool idle = !sealing_.valid() || sealing_.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    if (!idle && store_->staged_events() > staged_at_seal_start_ + seal_events_) {
      keep_going = FinishSeal();
      idle = true;
    }
    if (keep_going && idle && store_->staged_events() >= seal_events_) keep_going = MaybeStartSeal();
  }
  if (!keep_going) pipeline.Stop();
  files_read_ = static_cast<uint64_t>(std::count(opened.begin(), opened.end(), true));
  uint64_t events_read = pipeline.events_read() + pipeline.events_known();
  if (std::vector<storage::Store::MetaWrite> records = chunks_.TakePending(); !store_error_ && !records.empty()) {
    // Chunks of the last staged batch (an ingest cut short has no closing write).
    Status s = store_->WriteMeta(records);
    if (!s.ok()) {
      progress_->Print("kpi ingest: store failure while recording known chunks: " + s.ToString());
      store_error_ = true;
    }
  }
  if (FinishSeal() && !store_error_ && Seal()) {
    // Write memtables to table files and recycle the log: the directory then
    // holds only sealed data, and `du` shows the real footprint.
    // A bulk load leaves no delta parts behind (the server's small uploads
    // may have left some): queries then read one value per segment
    // (storage/segment_parts.h).
    // After a load that rewrote much of the store (a first load, scattered
    // arrival), compact: the store then ends at its compacted size instead
    // of holding the replaced segment values until RocksDB gets to them
    // (storage/compact.h, WorthCompacting).
    Status s;
    if (storage::WorthCompacting(SealedAndRewritten(), StoreEvents())) {
      progress_->SetPhase("compacting");
      s = store_->Compact(nullptr);  // folds and flushes too
    } else {
      progress_->SetPhase("folding");
      s = store_->FoldDeltas(SIZE_MAX, nullptr);
      progress_->SetPhase("flushing");
      if (s.ok()) s = store_->Flush();
    }
    progress_->SetPhase("");
    if (!s.ok()) {
      progress_->Print("kpi ingest: store failure while flushing: " + s.ToString());
      store_error_ = true;
    }
  }
  pipeline.Stop();
  progress_->Finish();
  if (lines_ < pipeline.lines_read()) lines_ = pipeline.lines_read();  // stopped mid-input
  lines_skipped_ = pipeline.lines_skipped();

  if (rejects_->total() > kRejectsShown) {
    std::fprintf(err_, "... and %s more (%s)\n", FormatCount(rejects_->total() - kRejectsShown).c_str(),
                 flags_.rejects_path.empty() ? "use --rejects FILE to see them all"
                                             : ("all in " + flags_.rejects_path).c_str());
  }
  if (aborted_) {
    std::fprintf(err_, "kpi ingest: aborted after %s rejected lines (--max-errors %lld); the lines before were stored\n",
                 FormatCount(rejects_->total()).c_str(), static_cast<long long>(flags_.max_errors));
  }
  if (store_error_ && stats_.staged > 0) {
    // "accepted" counts sealed events only: say that the staged ones are not lost.
    std::fprintf(err_,
                 "kpi ingest: %s events were staged before the failure (durable: the store seals them at its next "
                 "open); after fixing the cause, run the same ingest again: what is stored counts as duplicates\n",
                 FormatCount(stats_.staged).c_str());
  }
  PrintSummary(progress_->ElapsedSeconds(), events_read);
  if (rejects_file && std::fflush(rejects_file.get()) != 0) {
    std::fprintf(err_, "kpi ingest: writing %s failed\n", flags_.rejects_path.c_str());
    io_error_ = true;
  }
  if (aborted_) return kExitAborted;
  if (io_error_ || store_error_) return kExitUsage;
  if (rejects_->total() > 0) return kExitRejects;
  return kExitOk;
}

bool Ingest::StageBatch(InputBatch* batch) {
  const std::string& input = (*inputs_)[batch->input];
  std::vector<RawEvent>& events = batch->events;
  // Reader rejects first: they may cut the batch short under max_errors.
  for (const ingest::Reject& r : batch->rejects) {
    if (aborted_) break;
    rejects_->Add(input, r.line, r.reason);
    if (OverLimit()) {
      aborted_ = true;
      const uint64_t cut = r.line;
      events.erase(std::remove_if(events.begin(), events.end(), [cut](const RawEvent& e) { return e.line > cut; }),
                   events.end());
    }
  }
  const bool whole = !aborted_ && batch->error.ok();
  // Known chunks (storage/ingest/known_chunk_recorder.h): records of chunks
  // whose events are staged go with this write; skipped ones are duplicates.
  const uint64_t known_before = chunks_.skipped_events();
  std::vector<storage::Store::MetaWrite> extra =
      chunks_.BeforeStage(batch->input, batch->chunks, !events.empty(), whole);
  // The input's checkpoint moves with the batch, in the same atomic write;
  // not when the batch was cut short or the input broke off, nor for a
  // batch of known chunks only (not worth a synced write: re-reading them
  // after a crash is cheap).
  const bool moves = !events.empty() || batch->end_of_input || !extra.empty();
  if (whole && moves && batch->input < tracked_.size() && tracked_[batch->input]) {
    const Tracked& t = *tracked_[batch->input];
    ingest::Checkpoint c{t.identity, batch->end_offset, batch->end_line, batch->end_of_input};
    extra.push_back({ingest::kCheckpointNamespace, t.key, ingest::EncodeCheckpoint(c)});
  }
  std::vector<uint64_t> refused;  // lines of events the store refused
  if (!events.empty() || !extra.empty()) {
    std::vector<storage::EventReject> store_rejects;
    storage::IngestStats stats;
    Status s = store_->Stage(std::span<const RawEvent>(events), &store_rejects, &stats, extra);
    if (!s.ok()) {
      progress_->Print("kpi ingest: store failure while staging " + input + ": " + s.ToString());
      store_error_ = true;
      return false;
    }
    uint64_t staged = 0;
    {
      std::lock_guard lock(stats_mu_);  // the background seal updates stats_ too
      stats_.Add(stats);
      staged = stats_.staged;
    }
    progress_->SetCommitted(staged);
    for (const storage::EventReject& r : store_rejects) {
      uint64_t line = r.index < events.size() ? events[r.index].line : 0;
      rejects_->Add(input, line, r.reason);
      refused.push_back(line);
    }
    if (OverLimit()) aborted_ = true;
  }
  chunks_.AfterStage(batch->input, batch->chunks, !events.empty(), whole, refused);
  {
    std::lock_guard lock(stats_mu_);
    stats_.duplicates += chunks_.skipped_events() - known_before;
  }
  return !aborted_;
}

void Ingest::StartSeal() {
  staged_at_seal_start_ = store_->staged_events();
  sealing_ = std::async(std::launch::async, [this] {
    storage::IngestStats stats;
    Status s = store_->Seal(&stats);
    if (!s.ok()) return s;  // reported by FinishSeal, on the main thread
    NoteSeal(stats);
    return Status::OK();
  });
}

bool Ingest::FinishSeal() {
  if (!sealing_.valid()) return !store_error_;
  Status s = sealing_.get();
  if (!s.ok()) {
    progress_->Print("kpi ingest: store failure while sealing: " + s.ToString() +
                     " (staged events are kept and sealed at the next open)");
    store_error_ = true;
  }
  staged_at_seal_start_ = 0;
  return !store_error_;
}

bool Ingest::Seal() {
  if (store_->staged_events() == 0) return true;
  progress_->SetPhase("sealing");
  storage::IngestStats stats;
  Status s = store_->Seal(&stats);
  progress_->SetPhase("");
  if (!s.ok()) {
    progress_->Print("kpi ingest: store failure while sealing: " + s.ToString() +
                     " (staged events are kept and sealed at the next open)");
    store_error_ = true;
    return false;
  }
  NoteSeal(stats);
  return true;
}

void Ingest::NoteSeal(const storage::IngestStats& stats) {
  std::lock_guard lock(stats_mu_);
  stats_.accepted += stats.accepted;
  stats_.duplicates += stats.duplicates;
  stats_.segments_written += stats.segments_written;
  stats_.events_rewritten += stats.events_rewritten;
}

bool Ingest::MaybeStartSeal() {
  if (!FinishSeal()) return false;
  // A seal decodes and re-encodes the sealed segments its tickets live in.
  // In time order those are the few newest segments; in scattered arrival (a
  // shuffled file, a backfill across old days, an export sorted by ticket)
  // they are most of the store, and sealing every `seal_events` would
  // rewrite the whole store each time. So when a seal would re-encode more
  // than a quarter as many events as it seals, stop sealing: spill the
  // staged events (Store::SpillStaged: they are on disk already) and seal
  // once at the end, partition group by partition group, writing each
  // segment once. Staging then holds nothing in memory. The same within the
  // staged events (before the first seal of a shuffled load, nothing sealed
  // shows it): had their earlier half been sealed, the later half would
  // re-encode more than a quarter as many events as it brings.
  if (store_->staged_events() < max_staged_events_) {
    storage::Store::SealEstimate estimate;
    if (store_->EstimateSeal(&estimate).ok() &&
        (4 * estimate.rewrite > estimate.staged || 4 * estimate.split_rewrite > estimate.split_later)) {
      spilling_ = true;
      store_->SpillStaged();
      return true;
    }
  }
  StartSeal();
  return true;
}

bool Ingest::ApplyMemoryLimit(storage::StoreOptions* options) {
  if (flags_.memory_limit == "none") return true;
  size_t limit = storage::DefaultMemoryLimit();
  if (flags_.memory_limit != "auto") {
    Status s = storage::ParseMemorySize(flags_.memory_limit, &limit);
    if (!s.ok() || limit < storage::kMinMemoryLimit) {
      std::fprintf(err_, "kpi ingest: --memory-limit: %s\n",
                   s.ok() ? ("at least " + storage::FormatMemorySize(storage::kMinMemoryLimit) + " (got " +
                             flags_.memory_limit + ")").c_str()
                          : s.message().c_str());
      return false;
    }
  }
  const storage::MemoryBudget budget = storage::IngestBudget(limit);
  storage::ApplyBudget(budget, options);
  memory_limit_ = budget.limit_bytes;
  seal_events_ = std::min(seal_events_, budget.seal_events);
  max_staged_events_ = std::min(max_staged_events_, budget.max_staged_events);
  batch_events_ = std::min(batch_events_, budget.batch_events);
  // Under a limit, no transparent huge pages (cli/malloc_config.cc asks for
  // them): the kernel's khugepaged fills a 2 MB range back in around the few
  // pages jemalloc still uses there (max_ptes_none, 511 by default), so RSS
  // ran 40-90 MB above what the allocator holds and grew with the load's
  // length (20M tickets: +91 MB at the peak, 1M: +38); without them the
  // 1M and 4M loads cost the same CPU (docs/performance.md, "Flat from 1M").
  ::prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
  ReturnFreedMemorySooner();
  // A spilled seal frees most of a group's memory between its partition
  // groups and a run's between runs: returned at once, not after the decay
  // (storage/memory_release.h; docs/performance.md, "Freed memory returned
  // between groups, the run's write reserved").
  storage::SetReleaseFreedMemoryHook(ReleaseFreedMemoryNow);
  return true;
}

bool Ingest::RelieveMemory() {
  constexpr double kPressure = 0.85;
  if (static_cast<double>(storage::ResidentBytes()) < kPressure * static_cast<double>(memory_limit_)) return true;
  if (!FinishSeal()) return false;
  // Not for a handful of events: a seal is worth its fixed costs.
  if (store_->staged_events() >= seal_events_ / 4) {
    StartSeal();
  }
  return true;
}

void Ingest::PrintSummary(double elapsed_s, uint64_t events_read) {
  char elapsed[32];
  std::snprintf(elapsed, sizeof(elapsed), "%.2fs", elapsed_s);
  uint64_t rate = elapsed_s > 0 ? static_cast<uint64_t>(static_cast<double>(events_read) / elapsed_s) : 0;
  std::fprintf(out_, "files %s, lines %s, accepted %s, duplicates %s, rejected %s, elapsed %s, %s events/s\n",
               FormatCount(files_read_).c_str(), FormatCount(lines_).c_str(), FormatCount(stats_.accepted).c_str(),
               FormatCount(stats_.duplicates).c_str(), FormatCount(rejects_->total()).c_str(), elapsed,
               FormatCount(rate).c_str());
  if (lines_skipped_ > 0) std::fprintf(out_, "resumed: skipped %s lines committed before\n", FormatCount(lines_skipped_).c_str());
  if (chunks_.skipped_chunks() > 0) {
    // Their events are in the duplicates above.
    std::fprintf(out_, "already stored: %s lines (%s events) in %s chunks read before, not parsed again\n",
                 FormatCount(chunks_.skipped_lines()).c_str(), FormatCount(chunks_.skipped_events()).c_str(),
                 FormatCount(chunks_.skipped_chunks()).c_str());
  }
  std::fflush(out_);
}

}  // namespace

int RunIngest(const IngestFlags& flags, std::FILE* out, std::FILE* err) {
  std::unique_ptr<query::Backend> backend;
  if (Status s = OpenBackend(flags.backend, !flags.db.empty(), &backend); !s.ok()) {
    std::fprintf(err, "kpi ingest: %s\n", s.message().c_str());
    return kExitUsage;
  }
  if (backend) return RunBackendIngest(backend.get(), flags, out, err);
  Ingest ingest(flags, out, err);
  return ingest.Run();
}

}  // namespace kpi::cli
