// UploadGate (server/upload_gate.h).
#include "server/upload_gate.h"

namespace kpi::server {

UploadGate::Pass::~Pass() {
  if (gate_ != nullptr) gate_->Leave(bytes_);
}

UploadGate::Pass UploadGate::Enter(uint64_t bytes) {
  std::unique_lock lock(mu_);
  left_.wait(lock, [&] { return passes_ == 0 || inside_ + bytes <= capacity_; });
  inside_ += bytes;
  ++passes_;
  return Pass(this, bytes);
}

void UploadGate::Leave(uint64_t bytes) {
  {
    std::lock_guard lock(mu_);
    inside_ -= bytes;
    --passes_;
  }
  left_.notify_all();
}

uint64_t UploadGate::inside() const {
  std::lock_guard lock(mu_);
  return inside_;
}

}  // namespace kpi::server
