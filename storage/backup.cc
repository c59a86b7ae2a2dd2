// Store::Backup and RestoreStore (see storage/backup.h).
#include "storage/backup.h"

#include <fcntl.h>
#include <rocksdb/utilities/checkpoint.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include "storage/keys.h"
#include "storage/store_dir.h"
#include "storage/store_impl.h"

namespace kpi::storage {

namespace fs = std::filesystem;

namespace {

Status SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Status::IOError("open " + dir.string() + " to sync it");
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::OK() : Status::IOError("fsync " + dir.string());
}

// The backup's own acknowledged-writes marker (docs/storage-format.md).
Status WriteMarker(const fs::path& dir, uint64_t sequence) {
  std::string v;
  PutBigEndian64(&v, sequence);
  const fs::path path = dir / kAcknowledgedFile;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return Status::IOError("create " + path.string());
  const bool ok = ::write(fd, v.data(), v.size()) == static_cast<ssize_t>(v.size()) && ::fsync(fd) == 0;
  ::close(fd);
  return ok ? Status::OK() : Status::IOError("write " + path.string());
}

void CountFiles(const fs::path& dir, uint64_t* files, uint64_t* bytes) {
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    ++*files;
    *bytes += entry.file_size(ec);
  }
}

bool IsEmptyDir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir, ec) && fs::directory_iterator(dir, ec) == fs::directory_iterator();
}

}  // namespace

Status Store::Backup(const std::string& to_dir, BackupInfo* info) {
  BackupInfo local;
  if (info == nullptr) info = &local;
  if (to_dir.empty()) return Status::InvalidArgument("backup: no target directory");
  const fs::path to = ResolvedDirectory(to_dir);  // "bk/" is bk, not a directory inside it
  std::error_code ec;
  if (fs::exists(to, ec))
    return Status::InvalidArgument("backup: " + to.string() + " exists; a backup goes to a new directory");
  if (!fs::is_directory(to.parent_path(), ec))
    return Status::InvalidArgument("backup: " + to.parent_path().string() + " is not a directory");
  KPI_RETURN_IF_ERROR(MakeWritable());  // a checkpoint flushes the memtables first
  rocksdb::Checkpoint* raw = nullptr;
  KPI_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(impl_->db.get(), &raw), "backup"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  {
    // No write starts or finishes meanwhile: the copy holds exactly the
    // writes acknowledged before this point.
    std::lock_guard lock(impl_->write_mu);
    if (impl_->failed) return Status::IOError("store is read-only after an earlier write failure; reopen it");
    const auto start = std::chrono::steady_clock::now();
    uint64_t sequence = 0;
    KPI_RETURN_IF_ERROR(
        FromRocks(checkpoint->CreateCheckpoint(to.string(), /*log_size_for_flush=*/0, &sequence), "backup"));
    info->sequence = sequence;
    info->last_batch = impl_->last_batch;
    info->last_batch_ms = impl_->last_batch_ms;
    KPI_RETURN_IF_ERROR(WriteMarker(to, sequence));
    KPI_RETURN_IF_ERROR(SyncDir(to));
    info->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  CountFiles(to, &info->files, &info->bytes);
  return Status::OK();
}

bool StoreInUse(const std::string& dir) {
  const fs::path lock = fs::path(dir) / "LOCK";
  int fd = ::open(lock.c_str(), O_RDWR);
  if (fd < 0) return false;
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  // F_GETLK reports a lock held by another process (RocksDB locks LOCK with fcntl).
  const bool held = ::fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

Status RestoreStore(const std::string& from, const std::string& db, bool force, RestoreInfo* info) {
  RestoreInfo local;
  if (info == nullptr) info = &local;
  std::error_code ec;
  // "DIR/" names DIR: the copy is built beside it, never inside it.
  const fs::path src = ResolvedDirectory(from), dst = ResolvedDirectory(db);
  if (!fs::exists(src / "CURRENT", ec))
    return Status::InvalidArgument("restore: " + src.string() + " is not a backup (no CURRENT file)");
  if (StoreInUse(dst.string()))
    return Status::InvalidArgument("restore: " + dst.string() +
                                   " is open in another process (a running `kpi serve`?); stop it first");
  const bool occupied = fs::exists(dst, ec) && !IsEmptyDir(dst);
  if (occupied && !force)
    return Status::InvalidArgument("restore: " + dst.string() +
                                   " is not empty; nothing was changed (--force moves it aside and restores)");
  // Copy next to the target, prove the copy opens, then swap it in.
  const fs::path tmp = dst.string() + ".restoring-" + std::to_string(::getpid());
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  if (ec) return Status::IOError("restore: create " + tmp.string() + ": " + ec.message());
  for (const auto& entry : fs::directory_iterator(src, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == "LOCK" || name.rfind("LOG", 0) == 0) continue;  // RocksDB's lock and info logs
    fs::copy(entry.path(), tmp / name, fs::copy_options::recursive, ec);
    if (ec) {
      fs::remove_all(tmp, ec);
      return Status::IOError("restore: copy " + entry.path().string() + " failed");
    }
  }
  if (ec) return Status::IOError("restore: read " + src.string() + ": " + ec.message());
  {
    StoreOptions options;
    options.create_if_missing = false;
    options.cache_bytes = 16 << 20;
    std::unique_ptr<Store> store;
    Status opened = Store::Open(tmp.string(), options, &store);
    StoreInfo stats;
    if (opened.ok()) opened = store->GetInfo(&stats);
    if (!opened.ok()) {
      store.reset();
      fs::remove_all(tmp, ec);
      return Status::Corruption("restore: the backup " + src.string() + " does not open (" + opened.ToString() +
                                "); nothing was changed");
    }
    info->tickets = stats.tickets;
    info->events = stats.events;
    info->last_batch = store->GetSnapshot()->last_batch();
  }
  if (fs::exists(dst, ec)) {
    if (occupied) {
      const auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
      info->replaced = dst.string() + ".replaced-" + std::to_string(secs);
      fs::rename(dst, info->replaced, ec);
    } else {
      fs::remove(dst, ec);
    }
    if (ec) {
      const std::string why = ec.message();
      fs::remove_all(tmp, ec);
      return Status::IOError("restore: move " + dst.string() + " aside: " + why + "; nothing was changed");
    }
  }
  fs::rename(tmp, dst, ec);
  if (ec) {
    const std::string why = ec.message();
    fs::remove_all(tmp, ec);
    return Status::IOError("restore: rename " + tmp.string() + " to " + dst.string() + ": " + why);
  }
  return SyncDir(dst.parent_path());
}

}  // namespace kpi::storage
