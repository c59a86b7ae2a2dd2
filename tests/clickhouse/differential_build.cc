// Compiles the differential tests' random data, random queries, ingest
// helper and result comparison (tests/query/differential) into this folder's
// test binary, for clickhouse/differential_test.cc.
#include "query/differential/compare.cc"
#include "query/differential/ingested_store.cc"
#include "query/differential/random_data.cc"
#include "query/differential/random_scope.cc"
