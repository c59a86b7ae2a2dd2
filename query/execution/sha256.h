// SHA-256 (FIPS 180-4) of a byte string: the strong digest that stands for
// a memo key too long to keep whole (memo_keys.h). A digest, not XXH3,
// because the key's text comes from a statement a client wrote: two
// statements whose keys collide would read each other's kept values, and a
// non-cryptographic hash can be made to collide on purpose. Written here
// because the only SHA-256 at hand (OpenSSL) is optional (KPI_TLS).
// Thread safety: a pure function.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace kpi::query {

std::array<uint8_t, 32> Sha256(std::string_view bytes);

}  // namespace kpi::query
