// File and gzip input sources. Plain files are read with read(2) straight
// into the caller's buffer; gzip input is inflated from a fixed compressed
// block, so memory stays bounded whatever the file size.
#include "storage/ingest/input_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace kpi::ingest {

namespace {

constexpr size_t kCompressedBlock = 256 << 10;

std::string ErrnoText(int err) { return std::strerror(err); }

// A file descriptor read in order, with a few bytes peeked at the start
// (the gzip magic) handed back before the rest of the file.
class FileSource final : public InputSource {
 public:
  FileSource(std::string path, int fd, bool owns_fd, uint64_t total)
      : path_(std::move(path)), fd_(fd), owns_fd_(owns_fd), total_(total) {}
  ~FileSource() override {
    if (owns_fd_) ::close(fd_);
  }

  // Reads the first bytes so that the caller can sniff the format.
  Status Peek(size_t want) {
    while (peek_size_ < want && peek_size_ < sizeof(peek_)) {
      size_t got = 0;
      KPI_RETURN_IF_ERROR(RawRead(peek_ + peek_size_, want - peek_size_, &got));
      if (got == 0) break;
      peek_size_ += got;
    }
    return Status::OK();
  }
  std::string_view peeked() const { return std::string_view(peek_, peek_size_); }

  Status Read(char* dst, size_t capacity, size_t* size) override {
    *size = 0;
    if (capacity == 0) return Status::OK();
    size_t n = 0;
    if (peek_pos_ < peek_size_) {
      n = std::min(capacity, peek_size_ - peek_pos_);
      std::memcpy(dst, peek_ + peek_pos_, n);
      peek_pos_ += n;
      if (n == capacity) {
        *size = n;
        return Status::OK();
      }
    }
    size_t got = 0;
    Status s = RawRead(dst + n, capacity - n, &got);
    if (!s.ok() && n == 0) return s;  // else report it on the next call
    *size = n + got;
    return Status::OK();
  }

  uint64_t bytes_consumed() const override { return consumed_ - (peek_size_ - peek_pos_); }
  uint64_t total_bytes() const override { return total_; }
  bool compressed() const override { return false; }
  const std::string& path() const { return path_; }

 private:
  Status RawRead(char* dst, size_t capacity, size_t* size) {
    if (!error_.ok()) return error_;
    for (;;) {
      ssize_t n = ::read(fd_, dst, capacity);
      if (n >= 0) {
        *size = static_cast<size_t>(n);
        consumed_ += static_cast<uint64_t>(n);
        return Status::OK();
      }
      if (errno == EINTR) continue;
      error_ = Status::IOError(path_ + ": read failed: " + ErrnoText(errno));
      return error_;
    }
  }

  std::string path_;
  int fd_;
  bool owns_fd_;
  uint64_t total_;
  uint64_t consumed_ = 0;
  char peek_[16];
  size_t peek_size_ = 0;
  size_t peek_pos_ = 0;
  Status error_;
};

// Inflates a gzip stream (possibly several concatenated members).
class GzipSource final : public InputSource {
 public:
  explicit GzipSource(std::unique_ptr<FileSource> file) : file_(std::move(file)), in_(kCompressedBlock) {
    std::memset(&zs_, 0, sizeof(zs_));
  }
  ~GzipSource() override {
    if (initialized_) inflateEnd(&zs_);
  }

  // Sets up zlib and reads the first member's header, so that a file that
  // only looks like gzip fails at Open time.
  Status Init() {
    if (inflateInit2(&zs_, 15 + 16) != Z_OK) {
      return Status::IOError(file_->path() + ": cannot initialise zlib");
    }
    initialized_ = true;
    // With no output space inflate parses the header and stops at the data.
    // zlib keeps a pointer to the header until the next reset: a member.
    if (inflateGetHeader(&zs_, &header_) != Z_OK) {
      return Status::IOError(file_->path() + ": cannot initialise zlib");
    }
    char unused;
    while (header_.done == 0) {
      KPI_RETURN_IF_ERROR(Refill());
      if (zs_.avail_in == 0) return Status::InvalidArgument(file_->path() + ": truncated gzip header");
      zs_.next_out = reinterpret_cast<Bytef*>(&unused);
      zs_.avail_out = 0;
      int rc = inflate(&zs_, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        const std::string msg = zs_.msg != nullptr ? zs_.msg : "zlib error";
        if (header_.done == 0) return Status::InvalidArgument(file_->path() + ": unreadable gzip header: " + msg);
        // The header was fine; the data after it is not: Read() reports it.
        error_ = Status::IOError(file_->path() + ": corrupt gzip data: " + msg);
        break;
      }
      if (rc == Z_BUF_ERROR && zs_.avail_in != 0) break;  // no progress possible without output space
    }
    member_started_ = true;
    return Status::OK();
  }

  Status Read(char* dst, size_t capacity, size_t* size) override {
    *size = 0;
    if (!error_.ok()) return error_;
    if (capacity == 0 || done_) return Status::OK();
    zs_.next_out = reinterpret_cast<Bytef*>(dst);
    // zlib counts in uInt; cap the request so it cannot overflow.
    zs_.avail_out = static_cast<uInt>(std::min<size_t>(capacity, 1u << 30));
    const uInt requested = zs_.avail_out;
    while (zs_.avail_out == requested) {
      if (zs_.avail_in == 0) {
        KPI_RETURN_IF_ERROR(Refill());
        if (zs_.avail_in == 0) {
          if (member_started_) {
            error_ = Status::IOError(file_->path() + ": gzip stream truncated (unexpected end of file)");
            return error_;
          }
          done_ = true;
          break;
        }
      }
      member_started_ = true;
      const uInt in_before = zs_.avail_in;
      int rc = inflate(&zs_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        // Another member may follow (cat a.gz b.gz); check after the next refill.
        member_started_ = false;
        if (inflateReset(&zs_) != Z_OK) {
          error_ = Status::IOError(file_->path() + ": zlib reset failed");
          return error_;
        }
        continue;
      }
      const bool stalled = rc == Z_BUF_ERROR && zs_.avail_in == in_before && zs_.avail_out == requested;
      if ((rc != Z_OK && rc != Z_BUF_ERROR) || stalled) {
        error_ = Status::IOError(file_->path() + ": corrupt gzip data: " +
                                 (zs_.msg != nullptr ? zs_.msg : "zlib error"));
        return error_;
      }
    }
    *size = requested - zs_.avail_out;
    return Status::OK();
  }

  uint64_t bytes_consumed() const override { return file_->bytes_consumed() - zs_.avail_in; }
  uint64_t total_bytes() const override { return file_->total_bytes(); }
  bool compressed() const override { return true; }

 private:
  Status Refill() {
    if (zs_.avail_in != 0) return Status::OK();
    size_t got = 0;
    Status s = file_->Read(in_.data(), in_.size(), &got);
    if (!s.ok()) {
      error_ = s;
      return s;
    }
    zs_.next_in = reinterpret_cast<Bytef*>(in_.data());
    zs_.avail_in = static_cast<uInt>(got);
    return Status::OK();
  }

  std::unique_ptr<FileSource> file_;
  std::vector<char> in_;
  z_stream zs_;
  gz_header header_{};
  bool initialized_ = false;
  bool member_started_ = false;
  bool done_ = false;
  Status error_;
};

}  // namespace

Status InputSource::Open(const std::string& path, std::unique_ptr<InputSource>* source) {
  int fd;
  bool owns = true;
  if (path == "-") {
    fd = STDIN_FILENO;
    owns = false;
  } else {
    do {
      fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return Status::IOError(path + ": cannot open: " + ErrnoText(errno));
  }
  uint64_t total = 0;
  struct stat st;
  if (::fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      if (owns) ::close(fd);
      return Status::IOError(path + ": is a directory");
    }
    if (S_ISREG(st.st_mode)) total = static_cast<uint64_t>(st.st_size);
  }
  auto file = std::make_unique<FileSource>(path, fd, owns, total);
  KPI_RETURN_IF_ERROR(file->Peek(2));
  std::string_view head = file->peeked();
  if (head.size() == 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
      static_cast<unsigned char>(head[1]) == 0x8b) {
    auto gz = std::make_unique<GzipSource>(std::move(file));
    KPI_RETURN_IF_ERROR(gz->Init());
    *source = std::move(gz);
  } else {
    *source = std::move(file);
  }
  return Status::OK();
}

}  // namespace kpi::ingest
