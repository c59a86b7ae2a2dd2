#include "cli/gen/generator.h"

#include <optional>

#include "cli/gen/event_order.h"
#include "cli/gen/raw_event_builder.h"

namespace kpi::gen {

struct Generator::Rep {
  explicit Rep(const GenOptions& o) : options(o), status(Validate(o)), builder(o) {}

  // Sets *out to the next event of the whole output; false at the end.
  bool NextCompact(CompactEvent* out) {
    if (!status.ok()) return false;
    if (options.shuffle) {
      if (!shuffled_ready) {
        ShuffledEvents(options, &shuffled);
        shuffled_ready = true;
      }
      if (shuffled_pos == shuffled.size()) {
        if (!shuffled.empty()) std::vector<CompactEvent>().swap(shuffled);  // free early
        return false;
      }
      *out = shuffled[shuffled_pos++];
      return true;
    }
    // Pass 0: all events (or the on-time ones); pass 1: the late ones.
    for (;;) {
      if (!stream) {
        if (pass == 2) return false;
        const bool has_late = options.late_fraction > 0;
        if (pass == 1 && !has_late) return false;
        stream.emplace(options, !has_late   ? Lateness::kAll
                                : pass == 0 ? Lateness::kOnTimeOnly
                                            : Lateness::kLateOnly);
      }
      if (stream->Next(out)) return true;
      stream.reset();
      ++pass;
    }
  }

  GenOptions options;
  Status status;
  RawEventBuilder builder;
  uint64_t emitted = 0;
  bool exhausted = false;
  bool has_peeked = false;
  CompactEvent peeked{};
  // Default order.
  std::optional<TimeOrderedStream> stream;
  int pass = 0;
  // Shuffled order.
  bool shuffled_ready = false;
  std::vector<CompactEvent> shuffled;
  size_t shuffled_pos = 0;
};

Generator::Generator(const GenOptions& options) : rep_(std::make_unique<Rep>(options)) {}
Generator::~Generator() = default;

const Status& Generator::status() const { return rep_->status; }

bool Generator::Next(size_t max_events, std::vector<RawEvent>* out) {
  Rep& r = *rep_;
  if (max_events == 0) {
    // Peek so that "events remain" is exact, without losing the event.
    if (!r.has_peeked && !r.exhausted) {
      r.has_peeked = r.NextCompact(&r.peeked);
      r.exhausted = !r.has_peeked;
    }
    if (out != nullptr) out->clear();
    return r.has_peeked;
  }
  if (out == nullptr) return false;
  size_t n = 0;
  CompactEvent e;
  while (n < max_events && !r.exhausted) {
    if (r.has_peeked) {
      e = r.peeked;
      r.has_peeked = false;
    } else if (!r.NextCompact(&e)) {
      r.exhausted = true;
      break;
    }
    if (n == out->size()) out->emplace_back();
    r.builder.Build(e, ++r.emitted, &(*out)[n]);
    ++n;
  }
  out->resize(n);  // keeps the buffers of the elements that remain
  return n > 0;
}

}  // namespace kpi::gen
