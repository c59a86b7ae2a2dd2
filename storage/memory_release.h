// A process-wide hook that gives memory the process has freed back to the
// system at once (issue 13). The store knows nothing of the allocator: the
// process that chose it sets the hook (`kpi ingest` under a memory limit:
// jemalloc's purge, cli/allocator_decay.h); unset, ReleaseFreedMemory does
// nothing.
//
// Who calls it: a seal reading spilled events back (storage/sealer.h), after
// each partition group and after each run's commit, where it has just freed
// a group's built segments and work tickets or a run's write, tickets and
// offsets, and the next group or run is about to build its own peak. The
// allocator would reuse what it can and return the rest only after its
// decay, so pages it could not reuse at once were still resident at that
// peak. In-memory seals (a server's small group commits) never call it.
//
// Thread-safe (an atomic pointer); the hook must be too.
#pragma once

namespace kpi::storage {

using ReleaseFreedMemoryHook = void (*)();

// nullptr: none (the default).
void SetReleaseFreedMemoryHook(ReleaseFreedMemoryHook hook);
void ReleaseFreedMemory();

}  // namespace kpi::storage
