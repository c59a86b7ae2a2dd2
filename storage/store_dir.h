// CheckStoreDirectory: refuses a directory that holds a store's files but
// not its CURRENT file, before RocksDB is allowed near it.
//
// RocksDB finds a database through CURRENT (the name of the live MANIFEST).
// Without it, an open with create_if_missing writes a fresh, empty database
// into the directory and then deletes the table and log files the new
// MANIFEST does not list: the old store is gone. So every open (ingest,
// serve --create, query, info, ...) asks here first: a directory holding a
// MANIFEST, a table file (*.sst, *.blob) or a non-empty write-ahead log
// (*.log) but no CURRENT is refused with Corruption naming what was found,
// and nothing in it is touched. A missing or empty directory passes.
//
// DescribeDamagedFiles explains a refused open: RocksDB's own messages may
// name the MANIFEST that lists a damaged table file rather than the file.
#pragma once

#include <string>

#include "storage/status.h"

namespace kpi::storage {

// OK when `dir` is missing, empty of store files, or has its CURRENT file.
Status CheckStoreDirectory(const std::string& dir);

// After RocksDB refused to open `dir` with Corruption: names the damaged
// files it can find, so the operator knows what to restore. Table files
// (*.sst) whose footer or properties do not read are listed with the reason;
// a damaged write-ahead log is found in RocksDB's own LOG ("NNNNNN.log:
// dropping N bytes; ..."). Returns "" when it finds nothing more to say.
// Reads only; never changes a file.
std::string DescribeDamagedFiles(const std::string& dir);

}  // namespace kpi::storage
