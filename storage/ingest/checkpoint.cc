// Ingest checkpoints (see storage/ingest/checkpoint.h).
#include "storage/ingest/checkpoint.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

namespace kpi::ingest {

namespace {
constexpr size_t kHeadBytes = size_t{1} << 20;
}  // namespace

Status IdentifyInput(const std::string& path, InputIdentity* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IOError(path + ": not a regular file");
  }
  std::vector<char> head(std::min<uint64_t>(kHeadBytes, static_cast<uint64_t>(st.st_size)));
  size_t got = 0;
  while (got < head.size()) {
    ssize_t n = ::pread(fd, head.data() + got, head.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  out->size = static_cast<uint64_t>(st.st_size);
  out->mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  out->head_hash = XXH3_64bits(head.data(), got);
  return Status::OK();
}

std::string CheckpointKey(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
  if (ec) p = std::filesystem::absolute(path, ec).lexically_normal();
  return p.string();
}

std::string EncodeCheckpoint(const Checkpoint& c) {
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "ckpt1 size=%" PRIu64 " mtime_ns=%" PRId64 " head=%016" PRIx64 " offset=%" PRIu64 " line=%" PRIu64
                " complete=%d",
                c.identity.size, c.identity.mtime_ns, c.identity.head_hash, c.offset, c.line, c.complete ? 1 : 0);
  return buf;
}

bool DecodeCheckpoint(std::string_view text, Checkpoint* c) {
  std::string s(text);
  int complete = 0, used = 0;
  Checkpoint out;
  if (std::sscanf(s.c_str(),
                  "ckpt1 size=%" SCNu64 " mtime_ns=%" SCNd64 " head=%" SCNx64 " offset=%" SCNu64 " line=%" SCNu64
                  " complete=%d%n",
                  &out.identity.size, &out.identity.mtime_ns, &out.identity.head_hash, &out.offset, &out.line,
                  &complete, &used) != 6 ||
      static_cast<size_t>(used) != s.size() || out.line == 0 || (complete != 0 && complete != 1))
    return false;
  out.complete = complete == 1;
  *c = out;
  return true;
}

std::string IdentityChange(const InputIdentity& stored, const InputIdentity& now) {
  std::string out;
  auto add = [&out](const std::string& what) { out += (out.empty() ? "" : ", ") + what; };
  if (stored.size != now.size) add("size " + std::to_string(stored.size) + " -> " + std::to_string(now.size));
  if (stored.mtime_ns != now.mtime_ns) add("modification time");
  if (stored.head_hash != now.head_hash) add("content of the first MiB");
  return out;
}

}  // namespace kpi::ingest
