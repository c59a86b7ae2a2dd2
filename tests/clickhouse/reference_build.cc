// Compiles the reference evaluator's helpers (result comparison) into this
// folder's test binary (see tests/query/reference/reference_sources.inc).
#include "query/reference/reference_sources.inc"
