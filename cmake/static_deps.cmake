# Libraries the kpi binary links statically, the rest of the build shared.
#
# Why: a one-statement `kpi query` process is mostly start-up. Each shared
# library costs the dynamic linker its symbol lookups and the kernel the
# copy-on-write faults of its relocated pages at every start; OpenSSL's
# libcrypto alone (21,000 relocations) cost ~1.1 ms of a ~4.7 ms `kpi
# --version`. Linked from their .a archives (Debian's -dev packages ship
# them), `kpi --version` fell from 4.7 to ~3.4 ms of CPU (docs/performance.md,
# "The process floor"). The binary stays PIE (cli/CMakeLists.txt).
#
# How: a binary with the target property KPI_STATIC_DEPS set (the kpi
# binary, cli/CMakeLists.txt) links the archives; every other binary (tests,
# benches) the shared libraries. Libraries name the wrappers below (kpi::zlib,
# ...) instead of the packages' targets; the choice is made per linked binary
# by $<TARGET_PROPERTY:KPI_STATIC_DEPS>, which in a link interface names the
# binary being linked. Option KPI_STATIC_DEPS (ON) turns it off; a library
# whose archive is missing stays shared. Not here: glibc; cctz and simdjson
# (shared only in Debian), and with them libstdc++ and jemalloc, are
# cmake/static_cpp.cmake's.

set(KPI_STATIC_WHEN "$<BOOL:$<TARGET_PROPERTY:KPI_STATIC_DEPS>>")

# kpi_static_or_shared(<name> <shared items> ARCHIVES <archive file names...>
#                      [EXTRA <items linked after the archives>])
# Defines the INTERFACE target kpi::<name>: the archives (then EXTRA) for a
# binary with KPI_STATIC_DEPS, the shared items otherwise.
function(kpi_static_or_shared name shared)
  cmake_parse_arguments(PARSE_ARGV 2 ARG "" "" "ARCHIVES;EXTRA")
  add_library(kpi_dep_${name} INTERFACE)
  add_library(kpi::${name} ALIAS kpi_dep_${name})
  set(archives)
  if(KPI_STATIC_DEPS)
    foreach(file IN LISTS ARG_ARCHIVES)
      string(MAKE_C_IDENTIFIER "KPI_ARCHIVE_${file}" var)
      find_library(${var} NAMES ${file})
      if(NOT ${var})
        set(archives)
        break()
      endif()
      list(APPEND archives ${${var}})
    endforeach()
  endif()
  if(NOT archives)
    target_link_libraries(kpi_dep_${name} INTERFACE ${shared})
    return()
  endif()
  foreach(item IN LISTS archives ARG_EXTRA)
    target_link_libraries(kpi_dep_${name} INTERFACE "$<${KPI_STATIC_WHEN}:${item}>")
  endforeach()
  foreach(item IN LISTS shared)
    target_link_libraries(kpi_dep_${name} INTERFACE "$<$<NOT:${KPI_STATIC_WHEN}>:${item}>")
  endforeach()
endfunction()

kpi_static_or_shared(zlib ZLIB::ZLIB ARCHIVES libz.a)
kpi_static_or_shared(zstd zstd ARCHIVES libzstd.a)
kpi_static_or_shared(xxhash PkgConfig::XXHASH ARCHIVES libxxhash.a)
kpi_static_or_shared(readline readline ARCHIVES libreadline.a libtinfo.a)
if(OpenSSL_FOUND)
  kpi_static_or_shared(openssl "OpenSSL::SSL;OpenSSL::Crypto" ARCHIVES libssl.a libcrypto.a
                       EXTRA ${CMAKE_DL_LIBS} Threads::Threads)
endif()

# RocksDB's static library, and the compression libraries its config names
# (shared ones) replaced by the wrappers; only binaries with KPI_STATIC_DEPS
# link it.
set(KPI_ROCKSDB RocksDB::rocksdb-shared)
if(KPI_STATIC_DEPS AND TARGET RocksDB::rocksdb)
  get_target_property(KPI_ROCKSDB_ARCHIVE RocksDB::rocksdb IMPORTED_LOCATION_NONE)
  if(KPI_ROCKSDB_ARCHIVE AND EXISTS "${KPI_ROCKSDB_ARCHIVE}")
    get_target_property(rocksdb_deps RocksDB::rocksdb INTERFACE_LINK_LIBRARIES)
    set(mapped)
    foreach(dep IN LISTS rocksdb_deps)
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" lib "${dep}")
      if(lib STREQUAL "ZLIB::ZLIB")
        list(APPEND mapped kpi::zlib)
      elseif(lib STREQUAL "zstd::zstd")
        list(APPEND mapped kpi::zstd)
      elseif(lib MATCHES "^(Snappy::snappy|lz4::lz4|.*/libbz2\\.so)$")
        string(REGEX REPLACE "^.*(snappy|lz4|bz2).*$" "\\1" short "${lib}")
        kpi_static_or_shared(${short} "${lib}" ARCHIVES lib${short}.a)
        list(APPEND mapped kpi::${short})
      else()
        list(APPEND mapped "${dep}")
      endif()
    endforeach()
    set_target_properties(RocksDB::rocksdb PROPERTIES INTERFACE_LINK_LIBRARIES "${mapped}")
    set(KPI_ROCKSDB "$<IF:${KPI_STATIC_WHEN},RocksDB::rocksdb,RocksDB::rocksdb-shared>")
  endif()
endif()
