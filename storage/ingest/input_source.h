// InputSource: the bytes of one ingest input, decompressed, read in large
// blocks with bounded memory.
//
// Open() takes a path or "-" (stdin) and recognises gzip by its magic bytes
// (1f 8b), whatever the file name; concatenated gzip members are read as one
// stream, as gzip(1) does. Read() fills the caller's buffer; it never holds
// more than one compressed block plus zlib's window. Errors are returned as
// Status (IOError naming the path; InvalidArgument for a gzip header zlib
// cannot read); nothing throws.
// Thread safety: one source per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "storage/status.h"

namespace kpi::ingest {

class InputSource {
 public:
  // Opens `path` ("-" = stdin). *source is set only on success.
  static Status Open(const std::string& path, std::unique_ptr<InputSource>* source);

  virtual ~InputSource() = default;

  // Reads up to `capacity` bytes into `dst`. *size == 0 means end of input.
  // After an error every later call returns the same error.
  virtual Status Read(char* dst, size_t capacity, size_t* size) = 0;

  // Bytes taken from the underlying file so far (compressed bytes for gzip).
  virtual uint64_t bytes_consumed() const = 0;
  // Size of the underlying file, 0 when unknown (stdin, pipes).
  virtual uint64_t total_bytes() const = 0;
  // True when the input is gzip-compressed.
  virtual bool compressed() const = 0;
};

}  // namespace kpi::ingest
