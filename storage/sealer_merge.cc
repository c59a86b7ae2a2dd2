// Seal step 3: merge incoming events into their tickets (storage/sealer.h).
//
// Rules (storage/coded_event.h): first ingested wins. An event with a source
// id is identified by it: a higher revision replaces the latest copy (kept,
// invisible from the replacing batch on), an equal or lower one is a
// duplicate; any other event is identified by its content.
//
// incoming_ is in batch order (staging keys are big-endian batch numbers and
// Stage appends per batch), and bucketing by ticket is stable, so within a
// ticket the events are seen in the order they were ingested. Tickets are
// independent, so they merge on every core.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "storage/parallel.h"
#include "storage/sealer.h"
#include "storage/segment_events.h"

namespace kpi::storage {

namespace {

// A ticket's identities while it merges; reused from ticket to ticket so a
// merge allocates per thread, not per ticket. Tickets hold a handful of
// events: flat lists beat hash sets, which take over only for long tickets.
class TicketIdentities {
 public:
  // Where the copy of an id lives: sealed_[index] or incoming_[index].
  struct Copy {
    uint32_t index = 0;
    bool incoming = false;
  };

  void Clear() {
    content_.clear();
    content_set_.clear();
    latest_.clear();
    latest_map_.clear();
  }
  // False when an event with this content was seen.
  bool AddContent(const EventIdentity& id) {
    if (content_set_.empty()) {
      for (const EventIdentity& seen : content_)
        if (seen == id) return false;
      content_.push_back(id);
      if (content_.size() > 32) content_set_.insert(content_.begin(), content_.end());
      return true;
    }
    if (!content_set_.insert(id).second) return false;
    content_.push_back(id);
    return true;
  }
  // The copy of source id `id` with the highest revision so far, or null.
  Copy* FindLatest(uint64_t id) {
    if (latest_map_.empty()) {
      for (auto& [seen, copy] : latest_)
        if (seen == id) return &copy;
      return nullptr;
    }
    auto it = latest_map_.find(id);
    return it == latest_map_.end() ? nullptr : &it->second;
  }
  void AddLatest(uint64_t id, Copy copy) {  // id not present yet
    if (latest_map_.empty()) {
      latest_.emplace_back(id, copy);
      if (latest_.size() > 32) latest_map_.insert(latest_.begin(), latest_.end());
      return;
    }
    latest_map_.emplace(id, copy);
  }

 private:
  std::vector<EventIdentity> content_;
  std::unordered_set<EventIdentity, EventIdentityHash> content_set_;
  std::vector<std::pair<uint64_t, Copy>> latest_;
  std::unordered_map<uint64_t, Copy> latest_map_;
};

// Tickets per unit of parallel work: large enough to amortise the per-unit
// scratch, small enough to balance.
constexpr uint32_t kTicketsPerChunk = 4096;

}  // namespace

void Sealer::BucketIncoming(const std::vector<uint32_t>* group_tickets) {
  // Bucket by ticket (a stable counting sort into an index array: the events
  // themselves never move). A bucket is a tickets_ index, or, for a group
  // read back from disk, a place in the group's ticket list (placement
  // order: the order its segments are built in, sealer_groups.cc).
  const size_t buckets = group_tickets != nullptr ? group_tickets->size() : tickets_.size();
  if (group_tickets != nullptr) {
    bucket_of_.resize(tickets_.size());
    for (uint32_t i = 0; i < group_tickets->size(); ++i) bucket_of_[(*group_tickets)[i]] = i;
  }
  const auto bucket = [&](const CodedEvent& e) { return group_tickets != nullptr ? bucket_of_[e.ticket] : e.ticket; };
  std::vector<uint32_t>& starts = starts_;
  starts.assign(buckets + 1, 0);
  for (const CodedEvent& e : incoming_) starts[bucket(e) + 1]++;
  for (size_t t = 0; t < buckets; ++t) starts[t + 1] += starts[t];
  order_.resize(incoming_.size());
  {
    std::vector<uint32_t> fill(starts.begin(), starts.end() - 1);
    for (uint32_t i = 0; i < incoming_.size(); ++i) order_[fill[bucket(incoming_[i])]++] = i;
  }
  // Then move the events into that order, in place (following the
  // permutation's cycles: no second copy of the events). In scattered
  // arrival a ticket's events lie far apart; every later step (identities,
  // sort, segment building) reads them ticket by ticket, and contiguous reads
  // are several times cheaper than gathering each through the index.
  for (uint32_t start = 0; start < order_.size(); ++start) {
    if (order_[start] == start) continue;
    CodedEvent held = incoming_[start];
    uint32_t at = start;
    for (;;) {
      const uint32_t from = order_[at];
      order_[at] = at;
      if (from == start) {
        incoming_[at] = held;
        break;
      }
      incoming_[at] = incoming_[from];
      at = from;
    }
  }
  LayOutIncomingAttrs();
}

void Sealer::LayOutIncomingAttrs() {
  // The events' dimensions and measures stay where staging (or the group's
  // read) put them, in arrival order; scattered arrival leaves a ticket's
  // slices far apart, and identities, placement and segment building would
  // each gather them again. Copied once into the events' new order, every
  // later read is sequential.
  EventAttrs laid;
  // The capacity the group's arenas were sized to (the sealed events' slices follow).
  laid.dims.reserve(attrs_.dims.capacity());
  laid.measures.reserve(attrs_.measures.capacity());
  constexpr size_t kAhead = 8;  // events whose slices are fetched ahead of the copy
  for (size_t i = 0; i < incoming_.size(); ++i) {
    if (i + kAhead < incoming_.size()) {
      const CodedEvent& next = incoming_[i + kAhead];
      __builtin_prefetch(attrs_.dims.data() + next.dims_begin);
      __builtin_prefetch(attrs_.measures.data() + next.measures_begin);
    }
    CodedEvent& e = incoming_[i];
    const auto dims = DimsOf(e, attrs_);
    const auto measures = MeasuresOf(e, attrs_);
    e.dims_begin = static_cast<uint32_t>(laid.dims.size());
    e.measures_begin = static_cast<uint32_t>(laid.measures.size());
    laid.dims.insert(laid.dims.end(), dims.begin(), dims.end());
    laid.measures.insert(laid.measures.end(), measures.begin(), measures.end());
  }
  attrs_ = std::move(laid);
  incoming_dims_ = attrs_.dims.size();
  incoming_measures_ = attrs_.measures.size();
}

void Sealer::MergeTickets(IngestStats* local, std::map<uint32_t, IngestStats>* by_batch) {
  const size_t chunks = (work_.size() + kTicketsPerChunk - 1) / kTicketsPerChunk;
  std::vector<IngestStats> chunk_stats(chunks);
  std::vector<std::map<uint32_t, IngestStats>> chunk_batches(by_batch != nullptr ? chunks : 0);
  ForEachParallel(chunks, [&](size_t c) {
    TicketIdentities ids;
    IngestStats& counts = chunk_stats[c];
    std::map<uint32_t, IngestStats>* batches = by_batch != nullptr ? &chunk_batches[c] : nullptr;
    const size_t end = std::min(work_.size(), (c + 1) * size_t{kTicketsPerChunk});
    for (size_t w = c * kTicketsPerChunk; w < end; ++w) {
      WorkTicket& t = work_[w];
      if (t.incoming_begin == t.incoming_end || t.merged) continue;
      auto event_of = [&](TicketIdentities::Copy copy) -> CodedEvent& {
        return copy.incoming ? incoming_[copy.index] : sealed_[copy.index];
      };
      ids.Clear();
      for (uint32_t i = t.sealed_begin; i < t.sealed_end; ++i) {
        const CodedEvent& old = sealed_[i];
        if (old.id_hash == 0) {
          ids.AddContent(IdentityOf(old, attrs_));
        } else if (TicketIdentities::Copy* at = ids.FindLatest(old.id_hash); at == nullptr) {
          ids.AddLatest(old.id_hash, {i, false});
        } else if (old.revision > event_of(*at).revision) {
          *at = {i, false};
        }
      }
      uint32_t kept = t.incoming_begin;
      for (uint32_t k = t.incoming_begin; k < t.incoming_end; ++k) {
        const uint32_t index = order_[k];
        CodedEvent& e = incoming_[index];
        bool is_new;
        if (e.id_hash == 0) {
          is_new = ids.AddContent(IdentityOf(e, attrs_));
        } else if (TicketIdentities::Copy* at = ids.FindLatest(e.id_hash); at == nullptr) {
          ids.AddLatest(e.id_hash, {index, true});
          is_new = true;
        } else if (e.revision > event_of(*at).revision) {
          CodedEvent& replaced = event_of(*at);
          if (replaced.dead_since == 0) replaced.dead_since = e.batch;
          if (!at->incoming) t.sealed_changed = true;  // its segment cannot take a delta
          *at = {index, true};
          is_new = true;
          counts.corrections++;
          if (batches != nullptr) (*batches)[e.batch].corrections++;
        } else {
          is_new = false;
        }
        if (batches != nullptr) (is_new ? (*batches)[e.batch].accepted : (*batches)[e.batch].duplicates)++;
        if (!is_new) {
          counts.duplicates++;
          continue;
        }
        counts.accepted++;
        order_[kept++] = index;
      }
      t.incoming_end = kept;
      if (kept == t.incoming_begin) continue;
      t.changed = true;
      std::sort(order_.begin() + t.incoming_begin, order_.begin() + kept, [&](uint32_t a, uint32_t b) {
        return EventOrderLess{attrs_}(incoming_[a], incoming_[b]);
      });
      Place(&t);
    }
  });
  for (size_t c = 0; c < chunks; ++c) {
    local->Add(chunk_stats[c]);
    if (by_batch != nullptr)
      for (const auto& [batch, counts] : chunk_batches[c]) (*by_batch)[batch].Add(counts);
  }
}

uint32_t Sealer::PartitionOf(int64_t placement_ms) {
  const int64_t day = placement_ms / kMillisPerDay - (placement_ms % kMillisPerDay < 0 ? 1 : 0);  // floor
  return static_cast<uint32_t>(day);
}

// Placement follows the live events (replaced and retracted copies do not
// count), all of them when none is live: the first `created` event, else the
// earliest event.
void Sealer::Place(WorkTicket* t) const {
  PlacementScan scan(created_code_);
  for (uint32_t i = t->sealed_begin; i < t->sealed_end; ++i) scan.Visit(sealed_[i]);
  for (uint32_t k = t->incoming_begin; k < t->incoming_end; ++k) scan.Visit(incoming_[order_[k]]);
  t->placement_ms = scan.placement_ms();
  t->partition = PartitionOf(t->placement_ms);
}

}  // namespace kpi::storage
