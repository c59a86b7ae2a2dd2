// Compiles the reference evaluator into this folder's test binary (the
// reference has no library of its own; see reference_sources.inc).
#include "query/reference/reference_sources.inc"
