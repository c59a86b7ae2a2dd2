# cctz and simdjson built from their Debian sources into the kpi binary,
# and with them libstdc++, libgcc and jemalloc linked statically: a kpi
# process then loads no shared C++ library at all.
#
# Why: a one-statement `kpi query` process is mostly start-up, and the
# dynamic linker was a fifth of a cold query's CPU (docs/performance.md,
# "Cold queries"): libstdc++.so's own ~1,800 symbol bindings and its
# relocated pages at every start. Debian ships cctz and simdjson shared
# only, and each loads libstdc++.so (so does libjemalloc.so), so linking
# libstdc++ statically needs all three static.
#
# How: at configure time cmake/fetch_static_sources.sh fetches the sources
# from Debian's source packages (apt-get source, the machine's own mirrors;
# cctz as abseil's copy, simdjson of the installed headers' version) into
# the build directory: nothing third-party is kept in the repository. The
# libraries are built from them, quietly (no warnings: not our code), and
# named through the wrappers kpi::cctz and kpi::simdjson, which give a
# binary with KPI_STATIC_DEPS (the kpi binary) the built archives and every
# other binary (tests, benches) the shared libraries, as
# cmake/static_deps.cmake does for the others. The code compiles against
# the installed headers either way (the same API; cctz's symbols checked
# against libcctz.so's when this was written). Without network, apt-get or
# the -dev packages' versions, or with KPI_STATIC_CPP off, everything stays
# shared as before (a warning says so).
#
# Defines kpi::cctz, kpi::simdjson and KPI_STATIC_CPP_READY (both built).

option(KPI_STATIC_CPP "Build cctz and simdjson from Debian's sources into the kpi binary and link it with static libstdc++ and jemalloc (cmake/static_cpp.cmake)" ON)

set(KPI_STATIC_CPP_READY OFF)
if(KPI_STATIC_CPP AND KPI_STATIC_DEPS AND NOT KPI_SANITIZE)
  set(KPI_STATIC_SOURCES "${CMAKE_BINARY_DIR}/_static_sources")
  if(NOT EXISTS "${KPI_STATIC_SOURCES}/.complete")
    message(STATUS "Fetching cctz and simdjson sources (cmake/fetch_static_sources.sh)")
    execute_process(COMMAND bash "${PROJECT_SOURCE_DIR}/cmake/fetch_static_sources.sh" "${KPI_STATIC_SOURCES}"
                    RESULT_VARIABLE fetched OUTPUT_QUIET ERROR_VARIABLE fetch_errors TIMEOUT 300)
    if(NOT fetched EQUAL 0)
      string(STRIP "${fetch_errors}" fetch_errors)
      message(WARNING "cctz/simdjson sources not fetched (${fetched}): the kpi binary links them and libstdc++ shared. ${fetch_errors}")
    endif()
  endif()
  if(EXISTS "${KPI_STATIC_SOURCES}/.complete")
    set(KPI_STATIC_CPP_READY ON)
  endif()
endif()

# kpi_built_or_shared(<name> <built target> <shared items>): the INTERFACE
# target kpi::<name>, linking the built target for a binary with
# KPI_STATIC_DEPS and the shared items otherwise.
function(kpi_built_or_shared name built shared)
  add_library(kpi_dep_${name} INTERFACE)
  add_library(kpi::${name} ALIAS kpi_dep_${name})
  if(built)
    target_link_libraries(kpi_dep_${name} INTERFACE "$<${KPI_STATIC_WHEN}:${built}>")
    foreach(item IN LISTS shared)
      target_link_libraries(kpi_dep_${name} INTERFACE "$<$<NOT:${KPI_STATIC_WHEN}>:${item}>")
    endforeach()
  else()
    target_link_libraries(kpi_dep_${name} INTERFACE ${shared})
  endif()
endfunction()

set(kpi_cctz_built)
set(kpi_simdjson_built)
if(KPI_STATIC_CPP_READY)
  file(GLOB kpi_cctz_sources "${KPI_STATIC_SOURCES}/cctz/src/*.cc")
  add_library(kpi_cctz_static STATIC ${kpi_cctz_sources})
  target_include_directories(kpi_cctz_static PRIVATE "${KPI_STATIC_SOURCES}/cctz/include")
  target_compile_options(kpi_cctz_static PRIVATE -w)
  set_target_properties(kpi_cctz_static PROPERTIES POSITION_INDEPENDENT_CODE ON)
  set(kpi_cctz_built kpi_cctz_static)

  add_library(kpi_simdjson_static STATIC "${KPI_STATIC_SOURCES}/simdjson/simdjson.cpp")
  target_include_directories(kpi_simdjson_static PRIVATE "${KPI_STATIC_SOURCES}/simdjson")
  # As Debian's libsimdjson.so is built (its CMake package says so to every
  # user of the headers): the parser's layout depends on it.
  target_compile_definitions(kpi_simdjson_static PRIVATE SIMDJSON_THREADS_ENABLED=1)
  target_compile_options(kpi_simdjson_static PRIVATE -w)
  target_link_libraries(kpi_simdjson_static PUBLIC Threads::Threads)
  set_target_properties(kpi_simdjson_static PROPERTIES POSITION_INDEPENDENT_CODE ON)
  set(kpi_simdjson_built kpi_simdjson_static)
endif()
kpi_built_or_shared(cctz "${kpi_cctz_built}" "${CCTZ_LIBRARY}")
kpi_built_or_shared(simdjson "${kpi_simdjson_built}" simdjson::simdjson)

# jemalloc's archive, and libstdc++/libgcc static, once no shared C++
# library is left (libjemalloc.so would load libstdc++.so again: two copies
# of the runtime in one process). malloc_conf (cli/malloc_config.cc) is read
# from the binary either way.
set(KPI_STATIC_LIBSTDCXX OFF)
if(KPI_STATIC_CPP_READY)
  set(kpi_jemalloc_archive_ok ON)
  if(JEMALLOC_LIBRARY)
    find_library(KPI_JEMALLOC_ARCHIVE NAMES libjemalloc.a)
    if(NOT KPI_JEMALLOC_ARCHIVE)
      set(kpi_jemalloc_archive_ok OFF)
    endif()
  endif()
  if(kpi_jemalloc_archive_ok)
    set(KPI_STATIC_LIBSTDCXX ON)
  endif()
endif()
if(JEMALLOC_LIBRARY)
  if(KPI_STATIC_LIBSTDCXX)
    kpi_static_or_shared(jemalloc "${JEMALLOC_LIBRARY}" ARCHIVES libjemalloc.a EXTRA Threads::Threads ${CMAKE_DL_LIBS} m)
  else()
    kpi_static_or_shared(jemalloc "${JEMALLOC_LIBRARY}")
  endif()
endif()
