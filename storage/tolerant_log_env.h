// TolerantLogEnv: an Env whose info logs (RocksDB's LOG file) ignore write
// errors instead of stopping the process.
//
// RocksDB's own info logger (EnvLogger) writes through a WritableFileWriter;
// once one append failed (ENOSPC: a full disk) every later line is a write
// "with a previous error", which Debian's RocksDB (built with assertions)
// answers with an assertion failure: the process aborts. A full disk
// reached while staging a batch did exactly that: the write failed, RocksDB
// logged the background error, and that log line killed `kpi ingest` (or a
// `kpi serve` taking uploads) instead of returning the IOError. This Env's
// NewLogger gives a logger that writes each line with write(2) and drops
// what does not fit; lines resume once there is room. Same file name (LOG,
// rotated by RocksDB as before) and line layout (local time, thread, text),
// so DescribeDamagedFiles still reads it.
// Thread safety: the logger serialises its writes; the Env is stateless.
#pragma once

#include <rocksdb/env.h>

#include <memory>
#include <string>

namespace kpi::storage {

class TolerantLogEnv : public rocksdb::EnvWrapper {
 public:
  explicit TolerantLogEnv(rocksdb::Env* base) : rocksdb::EnvWrapper(base) {}
  static const char* kClassName() { return "KpiTolerantLogEnv"; }
  const char* Name() const override { return kClassName(); }
  rocksdb::Status NewLogger(const std::string& fname, std::shared_ptr<rocksdb::Logger>* result) override;
};

}  // namespace kpi::storage
