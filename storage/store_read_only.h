// StillReadOnly: whether a store opened with read_only_until_write has
// stayed read-only (written nothing: no memtable, no log, no writer's lock).
// Closing such a store writes nothing, so a process about to end may skip
// the close (cli/query_command.h process_ends_after): the kernel drops its
// file lock, descriptors and mappings with the process. (Apart from
// store.h, which most of the code includes, so that asking costs no
// rebuild of it.)
#pragma once

#include "storage/store.h"

namespace kpi::storage {

bool StillReadOnly(const Store& store);

}  // namespace kpi::storage
