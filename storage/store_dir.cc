// CheckStoreDirectory (see storage/store_dir.h).
#include "storage/store_dir.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <rocksdb/options.h>
#include <rocksdb/sst_file_reader.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <system_error>
#include <vector>

namespace kpi::storage {

namespace fs = std::filesystem;

namespace {

// Whether `name` is `<digits><suffix>`, as RocksDB names its files
// (000123.sst, 000042.log): an application's app.log is none of a store's.
bool NumberedFile(std::string_view name, std::string_view suffix) {
  if (!name.ends_with(suffix) || name.size() == suffix.size()) return false;
  name.remove_suffix(suffix.size());
  return name.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

Status CheckStoreDirectory(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::OK();
  if (fs::exists(fs::path(dir) / "CURRENT", ec)) return Status::OK();
  std::string newest_manifest;
  uint64_t tables = 0, logs = 0;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::string_view n(name);
    if (n.starts_with("MANIFEST-") && NumberedFile(n.substr(9), "")) {
      if (newest_manifest.empty() || name.size() > newest_manifest.size() ||
          (name.size() == newest_manifest.size() && name > newest_manifest))
        newest_manifest = name;
    } else if (NumberedFile(n, ".sst") || NumberedFile(n, ".blob")) {
      ++tables;
    } else if (NumberedFile(n, ".log") && it->file_size(ec) > 0) {
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

namespace {

// What a fresh volume or an interrupted creation leaves: no one's data.
bool HoldsNoData(const fs::directory_entry& entry) {
  std::error_code ec;
  const std::string name = entry.path().filename().string();
  if (name == "lost+found") return entry.is_directory(ec) && fs::is_empty(entry.path(), ec);
  // Derived-value files (storage/memo_files.h) left by an earlier store in
  // the directory: derived, and never read for another store (its identity).
  if (name == "memo") return entry.is_directory(ec);
  if (name == "LOCK" || name == "IDENTITY" || name == "LOG" || name.starts_with("LOG.old.")) return true;
  const std::string_view n(name);
  if (n.starts_with("OPTIONS-") && NumberedFile(n.substr(8), "")) return true;
  return NumberedFile(n, ".log") && entry.file_size(ec) == 0 && !ec;
}

// A file name fit for a one-line message: control characters become '?'.
std::string Printable(std::string name) {
  for (char& c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return name;
}

}  // namespace

std::string DescribeNotAStore(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return "";
  if (!fs::is_directory(dir, ec)) return dir + " is not a kpistore store (it is not a directory)";
  if (fs::exists(fs::path(dir) / "CURRENT", ec)) return "";
  std::vector<std::string> names;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (!HoldsNoData(*it)) names.push_back(Printable(it->path().filename().string()));
  if (ec) return dir + " is not a kpistore store (it cannot be listed: " + ec.message() + ")";
  if (names.empty()) return "";
  std::sort(names.begin(), names.end());
  constexpr size_t kShown = 3;
  std::string held;
  for (size_t i = 0; i < names.size() && i < kShown; ++i) held += (i == 0 ? "" : ", ") + names[i];
  if (names.size() > kShown) held += " and " + std::to_string(names.size() - kShown) + " more";
  return dir + " is not a kpistore store (it holds " + held + ", and no CURRENT file)";
}

namespace {

// Makes a rename or a new entry in `dir` durable.
Status SyncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Status::IOError("cannot open " + dir.string() + " to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::OK() : Status::IOError("cannot sync " + dir.string());
}

// Removes `<dir>.creating-<pid>` directories whose process is gone.
void RemoveAbandonedCreations(const fs::path& dir) {
  const fs::path parent = dir.parent_path().empty() ? fs::path(".") : dir.parent_path();
  const std::string prefix = dir.filename().string() + ".creating-";
  std::error_code ec;
  std::vector<fs::path> abandoned;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(prefix) || !it->is_directory(ec)) continue;
    const std::string pid_text = name.substr(prefix.size());
    if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const long pid = std::strtol(pid_text.c_str(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) abandoned.push_back(it->path());
  }
  for (const fs::path& p : abandoned) fs::remove_all(p, ec);
}

}  // namespace

fs::path ResolvedDirectory(const std::string& dir) {
  std::error_code ec;
  fs::path resolved = fs::weakly_canonical(fs::absolute(dir, ec), ec);
  if (ec) resolved = fs::absolute(dir, ec).lexically_normal();
  if (!resolved.has_filename() && resolved.has_parent_path() && resolved != resolved.root_path())
    resolved = resolved.parent_path();
  return resolved;
}

Status CreateStoreAtomically(const std::string& dir, const std::function<Status(const std::string& temp)>& create) {
  if (std::string why = DescribeNotAStore(dir); !why.empty())
    return Status::InvalidArgument(why + ": refusing to create a store in it; nothing was changed "
                                         "(name a new or empty directory)");
  std::error_code ec;
  const fs::path target = ResolvedDirectory(dir);
  if (fs::exists(target, ec)) {
    if (!fs::is_directory(target, ec) || !fs::is_empty(target, ec)) return Status::OK();
  }
  RemoveAbandonedCreations(target);
  const fs::path temp = target.string() + ".creating-" + std::to_string(::getpid());
  fs::remove_all(temp, ec);  // ours from an earlier attempt in this process
  if (!target.parent_path().empty()) fs::create_directories(target.parent_path(), ec);
  if (!fs::create_directory(temp, ec))
    return Status::IOError("cannot create " + temp.string() + ": " + ec.message());
  Status created = create(temp.string());
  if (!created.ok()) {
    fs::remove_all(temp, ec);
    return created;
  }
  // rename(2) replaces an empty directory; another process that created the
  // store meanwhile wins, and ours is dropped.
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    fs::remove_all(temp, ec);
    if (err == ENOTEMPTY || err == EEXIST) return Status::OK();
    return Status::IOError("cannot move the new store " + temp.string() + " to " + target.string() + ": " +
                           std::generic_category().message(err));
  }
  return SyncDirectory(target.parent_path().empty() ? fs::path(".") : target.parent_path());
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
