// EventUpload: the body of POST /v1/events -> events stored durably.
//
// The body (NDJSON or CSV, optionally gzip-compressed: the reader detects
// gzip by its magic bytes) is put in an anonymous in-memory file
// (memfd_create; an unlinked temp file if that fails) and read with the
// storage layer's EventReader, so HTTP uploads follow exactly the rules of
// `kpi ingest`. Every good event is then staged as ONE batch and sealed
// through the GroupCommit (shared with concurrent uploads) or the backend's
// ingest (`ingest`): when
// UploadEvents returns OK the events are on disk and a query sees all of
// them or, before the seal, none.
//
// A scoped upload (`scope` set, a scoped writer's) rejects, per line and
// with the reason, each event that is outside the scope: when its ticket is
// stored and outside the scope (latest dimensions, as `from tickets` sees
// them), or when the ticket's dimensions with this event's (and the earlier
// accepted lines' of the upload) laid over them would not satisfy the
// scope. So a new ticket's first line must carry the scope's dimensions, and
// a scoped writer can neither add to another scope's ticket nor move a
// ticket across the boundary. The stored tickets' dimensions come from the
// backend (query::Backend::ScopeDims: the local store's or a ClickHouse
// cluster's). Scoped uploads hold `scope_mutex` from the check to the seal
// (the insert), so two scoped writers cannot race for one new ticket.
//
// Bad lines do not fail the upload: they are reported (line + reason) and the
// good lines around them are stored. The upload fails as a whole, storing
// nothing, when the body cannot be read (corrupt gzip, unusable CSV header:
// InvalidArgument), when it holds more than `max_events` events or lines
// (ResourceExhausted: a gzip bomb or an oversized batch), or when the store
// fails (IOError and friends).
//
// Thread safety: may run concurrently; each upload is its own batch, and
// the GroupCommit coalesces their seals.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "query/backend/backend.h"
#include "query/execution/scope.h"
#include "storage/ingest/event_reader.h"
#include "storage/raw_event.h"
#include "storage/status.h"

namespace kpi::storage {
struct EventReject;
struct IngestStats;
}  // namespace kpi::storage

namespace kpi::server {

// Stores one batch of events: a GroupCommit's Ingest over the local store,
// or another backend's (query::Backend::Ingest). Rejects index into the span.
using EventIngester = std::function<Status(std::span<const RawEvent> events, std::vector<storage::EventReject>* rejects,
                                           storage::IngestStats* stats)>;

struct UploadOptions {
  ingest::InputFormat format = ingest::InputFormat::kNdjson;
  uint64_t max_events = 2'000'000;   // events + rejected lines per upload
  size_t max_listed_rejects = 1000;  // rejects listed in the reply (all are counted)
  std::shared_ptr<const query::Scope> scope;  // null: any event may be added
  const query::Backend* backend = nullptr;    // where a scoped upload looks tickets up (ScopeDims)
  std::mutex* scope_mutex = nullptr;          // serializes scoped uploads (may be null)
};

struct UploadReject {
  uint64_t line = 0;  // 1-based line in the body (0: unknown)
  std::string error;
};

struct UploadResult {
  uint64_t lines = 0;       // lines read (good, bad and blank)
  uint64_t accepted = 0;    // events new to the store
  uint64_t duplicates = 0;  // events the store already held (or repeated in the body)
  uint64_t rejected = 0;    // all refused lines
  std::vector<UploadReject> rejects;  // the first max_listed_rejects of them, by line
};

Status UploadEvents(const EventIngester& ingest, std::string_view body, const UploadOptions& options,
                    UploadResult* result);

}  // namespace kpi::server
