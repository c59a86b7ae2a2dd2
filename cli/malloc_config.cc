// jemalloc's start-up options for the kpi binary (linked only when CMake
// found jemalloc; see the top-level CMakeLists.txt for why).
//
// thp:always backs the allocator's extents with transparent huge pages: the
// ingest path allocates and frees hundreds of MB per seal, and one fault per
// 2 MB instead of per 4 KB halved its CPU time on the development VM.
// background_thread purges unused pages off the hot path. MALLOC_CONF in the
// environment still overrides these (jemalloc reads it after this string).
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's contract.
const char* malloc_conf = "thp:always,metadata_thp:auto,background_thread:true";
}
