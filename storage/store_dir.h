// CheckStoreDirectory: refuses a directory that holds a store's files but
// not its CURRENT file, before RocksDB is allowed near it.
//
// RocksDB finds a database through CURRENT (the name of the live MANIFEST).
// Without it, an open with create_if_missing writes a fresh, empty database
// into the directory and then deletes the table and log files the new
// MANIFEST does not list: the old store is gone. So every open (ingest,
// serve --create, query, info, ...) asks here first: a directory holding a
// MANIFEST, a table file or a non-empty write-ahead log, named as RocksDB
// names them (MANIFEST-N, N.sst, N.blob, N.log), but no CURRENT is refused
// with Corruption naming what was found, and nothing in it is touched. A
// missing or empty directory passes, and so does one holding other files
// only (not a store: the caller says so, or creates a store there).
//
// DescribeNotAStore says why a directory that is not a store must not be
// taken for one: one rule for the commands that only open (they say "not a
// kpistore store") and for those that create (they refuse to create over
// someone else's files and change nothing).
//
// CreateStoreAtomically makes creating a store all or nothing: a process
// killed while RocksDB writes a new store's first files (MANIFEST, then
// CURRENT) would otherwise leave a directory CheckStoreDirectory must
// refuse for ever, although it never held an acknowledged event.
//
// DescribeDamagedFiles explains a refused open: RocksDB's own messages may
// name the MANIFEST that lists a damaged table file rather than the file.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "storage/status.h"

namespace kpi::storage {

// OK when `dir` is missing, empty of store files, or has its CURRENT file.
Status CheckStoreDirectory(const std::string& dir);

// "" when `dir` is missing, holds CURRENT, is empty, or holds only what a
// fresh volume or an interrupted creation leaves: an empty `lost+found`, and
// RocksDB's files that hold no data (LOCK, LOG*, IDENTITY, OPTIONS-N, empty
// N.log), and an earlier store's derived-value files (memo/). Otherwise "DIR is not a kpistore store (it holds a.txt, b.log and
// 3 more, and no CURRENT file)" or "(... is not a directory)". A directory
// CheckStoreDirectory refuses is not described here: check that first.
std::string DescribeNotAStore(const std::string& dir);

// The directory `dir` names, as the place to build a sibling beside and
// rename over: absolute, symbolic links followed (rename(2) would replace a
// link, not fill its target), no trailing '/' (else a sibling
// `<dir>.x` would be `<dir>/.x`, inside it). Creation, backup and restore
// all build their new directory beside this one.
std::filesystem::path ResolvedDirectory(const std::string& dir);

// When `dir` is missing or an empty directory: runs `create(temp)` on a new
// sibling directory `<dir>.creating-<pid>`, which must leave a complete,
// closed store there, then renames it to `dir` and syncs the parent, so
// `dir` is either absent/empty or a whole store, whenever the process dies.
// Leftover `<dir>.creating-<pid>` directories of processes no longer alive
// are removed first (they never held acknowledged data). When `dir` already
// holds CURRENT, or only what DescribeNotAStore lets pass (a mount point's
// empty lost+found, say), it does nothing and returns OK: the caller opens
// or creates in place as before. When `dir` is not a directory or holds other
// files, it refuses with InvalidArgument naming them, and changes nothing.
Status CreateStoreAtomically(const std::string& dir, const std::function<Status(const std::string& temp)>& create);

// After RocksDB refused to open `dir` with Corruption: names the damaged
// files it can find, so the operator knows what to restore. Table files
// (*.sst) whose footer or properties do not read are listed with the reason;
// a damaged write-ahead log is found in RocksDB's own LOG ("NNNNNN.log:
// dropping N bytes; ..."). Returns "" when it finds nothing more to say.
// Reads only; never changes a file.
std::string DescribeDamagedFiles(const std::string& dir);

}  // namespace kpi::storage
