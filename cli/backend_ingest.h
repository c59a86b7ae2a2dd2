// `kpi ingest --backend clickhouse`: the same readers (storage/ingest, via
// cli/input_pipeline.h), rejects (file:line: reason, --rejects,
// --max-errors) and exit codes as the local ingest (cli/ingest_command.h),
// each batch handed to Backend::Ingest. No checkpoints or known chunks (a
// re-sent file is sent again; the backend's queries keep one copy).
// Summary on `out`: "files F, lines L, sent N, rejected R, elapsed S".
#pragma once

#include <cstdio>

#include "cli/ingest_command.h"
#include "query/backend/backend.h"

namespace kpi::cli {

int RunBackendIngest(query::Backend* backend, const IngestFlags& flags, std::FILE* out, std::FILE* err);

}  // namespace kpi::cli
