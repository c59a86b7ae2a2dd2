// Compiles the differential tests' random query generator
// (tests/query/differential/random_query.cc) into this folder's test binary
// (a translation unit of its own: it shares file-local names with random_data.cc).
#include "query/differential/random_query.cc"
