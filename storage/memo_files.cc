#include "storage/memo_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <set>
#include <tuple>

#include "storage/store.h"

namespace kpi::storage {

namespace {

constexpr char kMagic[8] = {'K', 'P', 'I', 'M', 'E', 'M', 'O', '1'};
// 2: zone hashes over the encoded code lists (ZoneHash); files of format 1
// (hashes over the decoded lists) are not read, and are written again.
constexpr uint32_t kFormat = 2;
constexpr size_t kEntryBytes = 48;  // two u32 and five u64

template <typename T>
void Put(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof v);
}

// Reads a T at *pos of [data, data + size); false past the end.
template <typename T>
bool Get(const char* data, size_t size, size_t* pos, T* v) {
  if (size - *pos < sizeof(T) || *pos > size) return false;
  std::memcpy(v, data + *pos, sizeof(T));
  *pos += sizeof(T);
  return true;
}

std::string Hex64(uint64_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[i] = digits[v & 15];
  return s;
}

Status Errno(const std::string& what) { return Status::IOError(what + ": " + std::strerror(errno)); }

// Whether `name` is one this class writes: `<16 hex>.km`, or its temporary
// `<16 hex>.km.tmp.<...>` (*temporary). Eviction and Clear touch no other
// name: DIR/memo may be a link to a directory that holds other files.
bool IsMemoName(std::string_view name, bool* temporary) {
  if (name.size() < 19 || name.substr(16, 3) != ".km") return false;
  for (char c : name.substr(0, 16))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  *temporary = name.size() > 19;
  return !*temporary || name.substr(19).starts_with(".tmp.");
}

// Free bytes the files must leave on the directory's file system: a cache
// never takes the room RocksDB needs to write and compact (1 GiB, or a
// tenth of a smaller file system).
bool LeavesRoom(const std::string& dir, uint64_t bytes) {
  struct statvfs fs;
  if (::statvfs(dir.c_str(), &fs) != 0) return true;  // unknown: the write itself will tell
  const uint64_t total = static_cast<uint64_t>(fs.f_blocks) * fs.f_frsize;
  const uint64_t free = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  const uint64_t reserve = std::min<uint64_t>(uint64_t{1} << 30, total / 10);
  return free >= bytes && free - bytes >= reserve;
}

// Reads n bytes at `offset` of `fd` into `out`: false on an error or when
// the file ends first (cut short since its size was read).
bool ReadAt(int fd, uint64_t offset, size_t n, char* out) {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, out + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

// Up to n bytes at `offset`: how many there were before the end or an error.
size_t ReadSome(int fd, uint64_t offset, size_t n, char* out) {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, out + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    done += static_cast<size_t>(r);
  }
  return done;
}

// Each thread's read-ahead: the bytes of one file from one offset. A scan
// asks for a key's values segment by segment, in file order: one pread per
// window instead of one per value (a cold process finds 400-700 values).
constexpr size_t kWindowBytes = 256 << 10;
struct Window {
  uint64_t file = 0;  // MemoFiles::Opened::id; 0: empty
  uint64_t begin = 0;
  size_t size = 0;
  std::unique_ptr<char[]> bytes;
};
thread_local Window tl_window;
std::atomic<uint64_t> next_opened_id{1};

}  // namespace

// A key's file, open for reading (values are read from it on each Find,
// never mapped: a file cut under a mapping kills the reader with SIGBUS);
// entries sorted by (partition, segment).
struct MemoFiles::Opened {
  const uint64_t id = next_opened_id.fetch_add(1);  // names it in a thread's window
  int fd = -1;
  std::vector<Entry> entries;
  // Per entry: set once its checksum failed (not read again).
  std::unique_ptr<std::atomic<bool>[]> bad;
  ~Opened() {
    if (fd >= 0) ::close(fd);
  }
  const Entry* FindEntry(uint32_t partition, uint32_t segment, size_t* index) const {
    auto it = std::lower_bound(entries.begin(), entries.end(), std::make_pair(partition, segment),
                               [](const Entry& e, const std::pair<uint32_t, uint32_t>& k) {
                                 return std::make_pair(e.partition, e.segment) < k;
                               });
    if (it == entries.end() || it->partition != partition || it->segment != segment) return nullptr;
    *index = static_cast<size_t>(it - entries.begin());
    return &*it;
  }
  // Entry i's value into *out, checksum verified: from this thread's
  // window over the file (read ahead from the value when it holds it not),
  // or, larger than a window, read alone.
  bool Read(size_t i, std::string* out) const {
    const Entry& e = entries[i];
    if (bad[i].load(std::memory_order_relaxed)) return false;
    bool read;
    if (e.length > kWindowBytes) {
      out->resize(e.length);
      read = ReadAt(fd, e.offset, e.length, out->data());
    } else {
      Window& w = tl_window;
      if (w.file != id || e.offset < w.begin || e.offset - w.begin + e.length > w.size) {
        if (!w.bytes) w.bytes = std::make_unique<char[]>(kWindowBytes);
        w.file = id;
        w.begin = e.offset;
        w.size = ReadSome(fd, e.offset, kWindowBytes, w.bytes.get());
      }
      read = e.offset - w.begin + e.length <= w.size;  // else cut short since opened
      if (read) out->assign(w.bytes.get() + (e.offset - w.begin), e.length);
    }
    if (read && XXH3_64bits(out->data(), out->size()) == e.checksum) return true;
    bad[i].store(true, std::memory_order_relaxed);
    return false;
  }
};

std::unique_ptr<MemoFiles> MemoFiles::Open(const std::string& store_dir, const std::string& fingerprint,
                                           uint64_t max_bytes) {
  // RocksDB's IDENTITY (a UUID written when the database is created):
  // generations restart in a store created again in the same directory.
  std::string identity;
  const int fd = ::open((store_dir + "/IDENTITY").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  char buf[256];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n <= 0) return nullptr;
  identity.assign(buf, static_cast<size_t>(n));
  while (!identity.empty() && (identity.back() == '\n' || identity.back() == ' ')) identity.pop_back();
  if (identity.empty()) return nullptr;
  std::unique_ptr<MemoFiles> files(new MemoFiles());
  files->dir_ = Dir(store_dir);
  files->fingerprint_ = identity + "|" + fingerprint;
  files->max_bytes_ = max_bytes;
  return files;
}

MemoFiles::~MemoFiles() = default;

std::string MemoFiles::Dir(const std::string& store_dir) { return store_dir + "/memo"; }

// Every field of the zone map: the fixed-width fields hashed together,
// then the encoded code lists, seeded with the hash so far: equal zone maps
// hash equal (a list's encoding is its codes' gaps, one encoding per list),
// and a changed field or list changes the hash. The lists are hashed as the
// bytes the zone map holds (storage/zone_map.h), not decoded: a cold
// process hashes every planned segment's zone map, mostly without testing
// their lists.
// The fields below, padded (x86-64 and the like: 8-byte pointers).
static_assert(sizeof(void*) != 8 || sizeof(ZoneMap) == 8 * 2 + 4 * 4 + 8 + 16 + 16,
              "a field added to ZoneMap: hash it in ZoneHash");
uint64_t MemoFiles::ZoneHash(const ZoneMap& zone) {
  struct {
    int64_t min_time_ms, max_time_ms;
    uint32_t num_tickets, num_events, min_batch, max_batch;
    uint64_t data_bytes;
    uint32_t live_known, live_tickets, live_events, pad;
  } fixed;
  std::memset(&fixed, 0, sizeof(fixed));  // padding hashed as zeros
  fixed.min_time_ms = zone.min_time_ms;
  fixed.max_time_ms = zone.max_time_ms;
  fixed.num_tickets = zone.num_tickets;
  fixed.num_events = zone.num_events;
  fixed.min_batch = zone.min_batch;
  fixed.max_batch = zone.max_batch;
  fixed.data_bytes = zone.data_bytes;
  fixed.live_known = zone.live_known ? 1 : 0;
  fixed.live_tickets = zone.live_tickets;
  fixed.live_events = zone.live_events;
  const std::string_view lists = zone.lists.Encoded();
  return XXH3_64bits_withSeed(lists.data(), lists.size(), XXH3_64bits(&fixed, sizeof(fixed)));
}

std::string MemoFiles::PathOf(const std::string& key) const {
  XXH3_state_t* st = XXH3_createState();
  XXH3_64bits_reset(st);
  XXH3_64bits_update(st, fingerprint_.data(), fingerprint_.size());
  XXH3_64bits_update(st, "\0", 1);
  XXH3_64bits_update(st, key.data(), key.size());
  const uint64_t h = XXH3_64bits_digest(st);
  XXH3_freeState(st);
  return dir_ + "/" + Hex64(h) + ".km";
}

std::shared_ptr<const MemoFiles::Opened> MemoFiles::Load(const std::string& key) {
  auto it = opened_.find(key);
  if (it != opened_.end()) return it->second;
  std::shared_ptr<const Opened>& slot = opened_[key];  // null: missing or bad, not looked for again
  // Not blocking on a FIFO planted under the name, nor reading a device.
  const int fd = ::open(PathOf(key).c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
  if (fd < 0) return nullptr;
  auto m = std::make_shared<Opened>();
  m->fd = fd;  // closed with m
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 64) return nullptr;
  const size_t size = static_cast<size_t>(st.st_size);
  // The header: magic, format, fingerprint, key, entries, checksum. Its
  // fixed part and names first, then the entries (their count known).
  std::string header(std::min<size_t>(size, 8 + 4 + 4 + fingerprint_.size() + 4 + key.size() + 4), '\0');
  if (!ReadAt(fd, 0, header.size(), header.data())) return nullptr;
  const char* data = header.data();
  size_t pos = 8;
  uint32_t format = 0, fp_len = 0, key_len = 0, n = 0;
  if (std::memcmp(data, kMagic, 8) != 0 || !Get(data, header.size(), &pos, &format) || format != kFormat ||
      !Get(data, header.size(), &pos, &fp_len) || header.size() - pos < fp_len ||
      std::string_view(data + pos, fp_len) != fingerprint_)
    return nullptr;
  pos += fp_len;
  if (!Get(data, header.size(), &pos, &key_len) || header.size() - pos < key_len ||
      std::string_view(data + pos, key_len) != key)
    return nullptr;
  pos += key_len;
  if (!Get(data, header.size(), &pos, &n) || (size - pos) / kEntryBytes < n || size - pos - n * kEntryBytes < 8)
    return nullptr;
  const size_t header_bytes = pos + n * kEntryBytes + 8;
  const size_t have = header.size();
  header.resize(header_bytes);
  if (!ReadAt(fd, have, header_bytes - have, header.data() + have)) return nullptr;
  data = header.data();
  m->entries.resize(n);
  for (Entry& e : m->entries) {
    Get(data, header_bytes, &pos, &e.partition);
    Get(data, header_bytes, &pos, &e.segment);
    Get(data, header_bytes, &pos, &e.generation);
    Get(data, header_bytes, &pos, &e.zone_hash);
    Get(data, header_bytes, &pos, &e.offset);
    Get(data, header_bytes, &pos, &e.length);
    Get(data, header_bytes, &pos, &e.checksum);
  }
  const uint64_t computed = XXH3_64bits(data, pos);
  uint64_t stored = 0;
  if (!Get(data, header_bytes, &pos, &stored) || stored != computed) return nullptr;
  for (const Entry& e : m->entries)
    if (e.offset < pos || e.offset > size || size - e.offset < e.length) return nullptr;
  for (size_t i = 1; i < m->entries.size(); ++i)
    if (std::make_pair(m->entries[i - 1].partition, m->entries[i - 1].segment) >=
        std::make_pair(m->entries[i].partition, m->entries[i].segment))
      return nullptr;
  m->bad = std::make_unique<std::atomic<bool>[]>(n);
  for (uint32_t i = 0; i < n; ++i) m->bad[i].store(false);
  slot = std::move(m);
  return slot;
}

MemoFiles::Version MemoFiles::VersionOf(const SegmentRef& ref) {
  return Version{ref.partition, ref.segment, ref.generation, ZoneHash(ref.zone)};
}

bool MemoFiles::Find(const std::string& key, const Version& ref, std::string* out) {
  std::shared_ptr<const Opened> m;
  {
    std::lock_guard lock(mu_);
    m = Load(key);
  }
  size_t i = 0;
  const Entry* e = m ? m->FindEntry(ref.partition, ref.segment, &i) : nullptr;
  if (e == nullptr || e->generation != ref.generation || e->zone_hash != ref.zone_hash || !m->Read(i, out)) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void MemoFiles::Add(const std::string& key, const Version& ref, std::string bytes) {
  Pending p;
  p.entry.partition = ref.partition;
  p.entry.segment = ref.segment;
  p.entry.generation = ref.generation;
  p.entry.zone_hash = ref.zone_hash;
  p.entry.length = bytes.size();
  p.entry.checksum = XXH3_64bits(bytes.data(), bytes.size());
  p.bytes = std::move(bytes);
  std::lock_guard lock(mu_);
  pending_[key].push_back(std::move(p));
}

Status MemoFiles::Flush() {
  std::lock_guard lock(mu_);
  if (pending_.empty()) return Status::OK();
  std::map<std::string, std::vector<Pending>> pending = std::move(pending_);
  pending_.clear();
  if (::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST) return Errno("create " + dir_);
  static std::atomic<uint64_t> counter{0};
  for (auto& [key, fresh] : pending) {
    // New values first, then the file's values of the other segments.
    std::sort(fresh.begin(), fresh.end(), [](const Pending& a, const Pending& b) {
      return std::tie(a.entry.partition, a.entry.segment) < std::tie(b.entry.partition, b.entry.segment);
    });
    struct Source {
      Entry entry;
      const char* bytes;
    };
    std::vector<Source> all;
    std::set<std::pair<uint32_t, uint32_t>> replaced;
    for (const Pending& p : fresh)
      if (replaced.insert({p.entry.partition, p.entry.segment}).second) all.push_back({p.entry, p.bytes.data()});
    // The file's other values, each read and checked: one damaged, or cut
    // off by a truncation since the file was opened, is left out.
    std::vector<std::string> kept;
    if (std::shared_ptr<const Opened> m = Load(key)) {
      std::vector<size_t> others;
      for (size_t i = 0; i < m->entries.size(); ++i)
        if (!replaced.count({m->entries[i].partition, m->entries[i].segment})) others.push_back(i);
      kept.resize(others.size());
      for (size_t j = 0; j < others.size(); ++j)
        if (m->Read(others[j], &kept[j])) all.push_back({m->entries[others[j]], kept[j].data()});
    }
    std::sort(all.begin(), all.end(), [](const Source& a, const Source& b) {
      return std::tie(a.entry.partition, a.entry.segment) < std::tie(b.entry.partition, b.entry.segment);
    });
    std::string out(kMagic, 8);
    Put(&out, kFormat);
    Put(&out, static_cast<uint32_t>(fingerprint_.size()));
    out += fingerprint_;
    Put(&out, static_cast<uint32_t>(key.size()));
    out += key;
    Put(&out, static_cast<uint32_t>(all.size()));
    uint64_t offset = out.size() + all.size() * kEntryBytes + 8;
    for (Source& s : all) {
      s.entry.offset = offset;
      offset += s.entry.length;
      Put(&out, s.entry.partition);
      Put(&out, s.entry.segment);
      Put(&out, s.entry.generation);
      Put(&out, s.entry.zone_hash);
      Put(&out, s.entry.offset);
      Put(&out, s.entry.length);
      Put(&out, s.entry.checksum);
    }
    Put(&out, XXH3_64bits(out.data(), out.size()));
    out.reserve(offset);
    for (const Source& s : all) out.append(s.bytes, s.entry.length);
    if (!LeavesRoom(dir_, out.size()))
      return Status::ResourceExhausted("not writing " + dir_ + ": the file system is nearly full");
    const std::string path = PathOf(key);
    // A name of its own (another process with our pid in another pid
    // namespace, a leftover of a killed one): never opened twice, nor
    // through a link planted under it.
    const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++) + "." +
                            Hex64(static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return Errno("create " + tmp);
    size_t done = 0;
    while (done < out.size()) {
      const ssize_t w = ::write(fd, out.data() + done, out.size() - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        Status s = Errno("write " + tmp);
        ::close(fd);
        ::unlink(tmp.c_str());
        return s;
      }
      done += static_cast<size_t>(w);
    }
    if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
      Status s = Errno("write " + path);
      ::unlink(tmp.c_str());
      return s;
    }
    // The next Find of the key opens the new file (one in flight reads
    // the old, whose inode lives while open).
    opened_.erase(key);
  }
  // Under the bound: the least recently written files go first; leftovers
  // of a crashed writer (temporary files older than an hour) always.
  struct File {
    int64_t mtime;
    uint64_t bytes;
    std::string path;
  };
  std::vector<File> files;
  uint64_t total = 0;
  if (DIR* d = ::opendir(dir_.c_str())) {
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    while (const dirent* ent = ::readdir(d)) {
      const std::string name = ent->d_name;
      bool temporary = false;
      if (!IsMemoName(name, &temporary)) continue;
      const std::string path = dir_ + "/" + name;
      struct stat st;
      if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      if (temporary) {
        if (now - st.st_mtime > 3600) ::unlink(path.c_str());
        continue;
      }
      files.push_back({static_cast<int64_t>(st.st_mtime), static_cast<uint64_t>(st.st_size), path});
      total += static_cast<uint64_t>(st.st_size);
    }
    ::closedir(d);
  }
  std::sort(files.begin(), files.end(), [](const File& a, const File& b) { return a.mtime < b.mtime; });
  for (const File& f : files) {
    if (total <= max_bytes_) break;
    ::unlink(f.path.c_str());
    total -= f.bytes;
  }
  return Status::OK();
}

Status MemoFiles::Clear(const std::string& store_dir) {
  const std::string dir = Dir(store_dir);
  DIR* d = ::opendir(dir.c_str());
  // Missing, or not a directory (then no file of ours was ever read there).
  if (d == nullptr) return errno == ENOENT || errno == ENOTDIR ? Status::OK() : Errno("open " + dir);
  std::vector<std::string> names;
  while (const dirent* ent = ::readdir(d)) {
    const std::string name = ent->d_name;
    bool temporary = false;
    if (IsMemoName(name, &temporary)) names.push_back(name);
  }
  ::closedir(d);
  for (const std::string& name : names)
    if (::unlink((dir + "/" + name).c_str()) != 0 && errno != ENOENT) return Errno("delete " + dir + "/" + name);
  return Status::OK();
}

}  // namespace kpi::storage
