// TolerantLogEnv (see storage/tolerant_log_env.h).
#include "storage/tolerant_log_env.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>

namespace kpi::storage {

namespace {

class TolerantLogger : public rocksdb::Logger {
 public:
  explicit TolerantLogger(int fd) : fd_(fd) {}
  ~TolerantLogger() override { CloseFile(); }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    std::string line = Prefix();
    va_list copy;
    va_copy(copy, ap);
    const int n = std::vsnprintf(nullptr, 0, format, copy);
    va_end(copy);
    if (n > 0) {
      const size_t at = line.size();
      line.resize(at + static_cast<size_t>(n) + 1);
      std::vsnprintf(line.data() + at, static_cast<size_t>(n) + 1, format, ap);
      line.resize(at + static_cast<size_t>(n));
    }
    if (line.empty() || line.back() != '\n') line.push_back('\n');
    std::lock_guard<std::mutex> lock(mu_);
    if (fd_ < 0) return;
    size_t done = 0;
    while (done < line.size()) {
      const ssize_t w = ::write(fd_, line.data() + done, line.size() - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return;  // a full disk: drop the rest of the line
      done += static_cast<size_t>(w);
    }
    size_ += done;
  }

  size_t GetLogFileSize() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return size_;
  }

 protected:
  rocksdb::Status CloseImpl() override {
    CloseFile();
    return rocksdb::Status::OK();
  }

 private:
  // "2026/12/07-13:57:01.123456 1234 " as RocksDB's EnvLogger writes it.
  static std::string Prefix() {
    struct timeval now;
    ::gettimeofday(&now, nullptr);
    struct tm t;
    ::localtime_r(&now.tv_sec, &t);
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%04d/%02d/%02d-%02d:%02d:%02d.%06ld %ld ", t.tm_year + 1900, t.tm_mon + 1,
                  t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, static_cast<long>(now.tv_usec),
                  static_cast<long>(::syscall(SYS_gettid)));
    return buf;
  }

  void CloseFile() {
    std::lock_guard<std::mutex> lock(mu_);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  mutable std::mutex mu_;
  int fd_;
  size_t size_ = 0;
};

}  // namespace

rocksdb::Status TolerantLogEnv::NewLogger(const std::string& fname, std::shared_ptr<rocksdb::Logger>* result) {
  const int fd = ::open(fname.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return rocksdb::Status::IOError("cannot create info log " + fname, std::strerror(errno));
  *result = std::make_shared<TolerantLogger>(fd);
  return rocksdb::Status::OK();
}

}  // namespace kpi::storage
