// Compiles the differential tests' trend statement generator
// (tests/query/differential/random_trends.cc) into this folder's test binary
// (a translation unit of its own, like differential_query_build.cc).
#include "query/differential/random_trends.cc"
