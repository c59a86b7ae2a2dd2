// CheckStoreDirectory (see storage/store_dir.h).
#include "storage/store_dir.h"

#include <rocksdb/options.h>
#include <rocksdb/sst_file_reader.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <vector>

namespace kpi::storage {

namespace fs = std::filesystem;

Status CheckStoreDirectory(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::OK();
  if (fs::exists(fs::path(dir) / "CURRENT", ec)) return Status::OK();
  std::string newest_manifest;
  uint64_t tables = 0, logs = 0;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::string_view n(name);
    if (n.starts_with("MANIFEST-")) {
      if (newest_manifest.empty() || name.size() > newest_manifest.size() ||
          (name.size() == newest_manifest.size() && name > newest_manifest))
        newest_manifest = name;
    } else if (n.ends_with(".sst") || n.ends_with(".blob")) {
      ++tables;
    } else if (n.ends_with(".log") && it->file_size(ec) > 0) {
      ++logs;
    }
  }
  if (ec) return Status::IOError("cannot list " + dir + ": " + ec.message());
  if (newest_manifest.empty() && tables == 0 && logs == 0) return Status::OK();
  std::string found;
  auto add = [&found](const std::string& what) { found += (found.empty() ? "" : ", ") + what; };
  if (!newest_manifest.empty()) add(newest_manifest);
  if (tables > 0) add(std::to_string(tables) + (tables == 1 ? " table file" : " table files"));
  if (logs > 0) add(std::to_string(logs) + (logs == 1 ? " write-ahead log" : " write-ahead logs"));
  return Status::Corruption(
      dir + " holds a store (" + found +
      ") but its CURRENT file is missing: refusing to open it or to create a new store over it; "
      "nothing was changed. Keep the directory as it is and follow \"A store directory without CURRENT\" "
      "in docs/operations.md" +
      (newest_manifest.empty() ? std::string() : " (CURRENT must name " + newest_manifest + ")"));
}

std::string DescribeDamagedFiles(const std::string& dir) {
  std::vector<std::string> damaged;
  std::error_code ec;
  std::vector<fs::path> tables;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".sst") tables.push_back(it->path());
  }
  std::sort(tables.begin(), tables.end());
  for (const fs::path& table : tables) {
    rocksdb::Options options;
    rocksdb::SstFileReader reader(options);
    rocksdb::Status s = reader.Open(table.string());
    if (!s.ok()) damaged.push_back("table file " + table.filename().string() + " is damaged (" + s.ToString() + ")");
  }
  // A damaged log: RocksDB reports it only in its info LOG (a fresh one per
  // open), as "<dir>/000012.log: dropping 1234 bytes; Corruption: checksum
  // mismatch".
  std::ifstream log(fs::path(dir) / "LOG");
  std::string line, first_drop;  // the first report: later ones follow from it
  while (first_drop.empty() && std::getline(log, line)) {
    size_t at = line.find(".log: dropping ");
    if (at == std::string::npos) continue;
    size_t name = line.rfind('/', at);
    name = name == std::string::npos ? line.rfind(' ', at) : name;
    first_drop = line.substr(name == std::string::npos ? 0 : name + 1);
  }
  if (!first_drop.empty()) damaged.push_back("write-ahead log " + first_drop);
  std::string out;
  for (const std::string& d : damaged) out += (out.empty() ? "" : "; ") + d;
  return out;
}

}  // namespace kpi::storage
