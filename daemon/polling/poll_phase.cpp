#include "daemon/polling/poll_phase.h"

#include <cstdint>

namespace mamori::polling {

std::chrono::steady_clock::duration phase_offset(std::string_view key,
                                                 std::chrono::steady_clock::duration interval) {
  if (interval < std::chrono::seconds(10)) return std::chrono::steady_clock::duration::zero();
  // FNV-1a: the same key has the same phase on every instance and after every restart.
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : key) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  const auto half = interval.count() / 2;
  return std::chrono::steady_clock::duration(
      static_cast<long long>(h % static_cast<std::uint64_t>(half)));
}

}  // namespace mamori::polling
