// UploadGate: bounds the request-body bytes of the uploads that are parsed,
// staged and waiting for their seal at once. The server runs uploads on
// several write threads so that many small uploads share each seal
// (server/group_commit.h); the gate keeps that from meaning as many large
// uploads' parsed events in memory at once: an upload enters with its body's
// size and waits while the bytes already inside plus its own pass the
// capacity. An upload larger than the capacity enters alone (it waits for an
// empty gate), so every upload the body limit admits can run.
//
// Thread safety: Enter may be called from any number of threads; a Pass
// releases its bytes when destroyed.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace kpi::server {

class UploadGate {
 public:
  explicit UploadGate(uint64_t capacity_bytes) : capacity_(capacity_bytes) {}

  class Pass {
   public:
    Pass(Pass&& other) noexcept : gate_(other.gate_), bytes_(other.bytes_) { other.gate_ = nullptr; }
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;
    Pass& operator=(Pass&&) = delete;
    ~Pass();

   private:
    friend class UploadGate;
    Pass(UploadGate* gate, uint64_t bytes) : gate_(gate), bytes_(bytes) {}
    UploadGate* gate_;
    uint64_t bytes_;
  };

  // Waits until `bytes` fit (or the gate is empty), then holds them.
  Pass Enter(uint64_t bytes);
  uint64_t inside() const;

 private:
  void Leave(uint64_t bytes);

  const uint64_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable left_;
  uint64_t inside_ = 0;  // GUARDED_BY(mu_)
  uint64_t passes_ = 0;  // GUARDED_BY(mu_): uploads inside
};

}  // namespace kpi::server
