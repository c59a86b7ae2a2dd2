// WriteNdjson: streams a Generator's events to a file or stdout in large
// buffered writes.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/gen/generator.h"

namespace kpi::gen {

namespace {

constexpr size_t kBatchEvents = 4096;
constexpr size_t kFlushBytes = 1 << 20;
constexpr uint64_t kProgressEvery = 1 << 18;

std::string ErrnoMessage(const std::string& what, const std::string& path, int err) {
  return what + " " + (path == "-" ? std::string("stdout") : path) + ": " + std::strerror(err);
}

}  // namespace

Status WriteNdjson(const GenOptions& options, const std::string& out_path,
                   const std::function<void(uint64_t)>& progress) {
  KPI_RETURN_IF_ERROR(Validate(options));
  if (out_path.empty()) return Status::InvalidArgument("output path is empty (use - for stdout)");
  const bool to_stdout = out_path == "-";
  std::FILE* file = to_stdout ? stdout : std::fopen(out_path.c_str(), "wb");
  if (file == nullptr) return Status::IOError(ErrnoMessage("cannot open", out_path, errno));

  Status status;
  auto flush = [&](std::string* buf) {
    if (status.ok() && !buf->empty() &&
        std::fwrite(buf->data(), 1, buf->size(), file) != buf->size()) {
      status = Status::IOError(ErrnoMessage("cannot write", out_path, errno));
    }
    buf->clear();
  };

  Generator generator(options);
  std::vector<RawEvent> batch;
  std::string buf;
  buf.reserve(kFlushBytes + (64 << 10));
  uint64_t written = 0;
  uint64_t next_progress = kProgressEvery;
  while (status.ok() && generator.Next(kBatchEvents, &batch)) {
    for (const RawEvent& e : batch) AppendNdjson(e, &buf);
    if (buf.size() >= kFlushBytes) flush(&buf);
    written += batch.size();
    if (progress && written >= next_progress) {
      progress(written);
      next_progress = written + kProgressEvery;
    }
  }
  flush(&buf);
  if (std::fflush(file) != 0 && status.ok()) {
    status = Status::IOError(ErrnoMessage("cannot write", out_path, errno));
  }
  if (!to_stdout && std::fclose(file) != 0 && status.ok()) {
    status = Status::IOError(ErrnoMessage("cannot close", out_path, errno));
  }
  if (status.ok() && progress) progress(written);
  return status;
}

}  // namespace kpi::gen
