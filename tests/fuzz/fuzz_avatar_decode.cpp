// Fuzzes the avatar decoding path: format sniffing, header limits and OpenCV decoding of
// untrusted image bytes (detectors/impersonation/avatar_hash.h). Must never crash, hang or
// allocate beyond the limits.
#include <cstddef>
#include <cstdint>
#include <span>

#include "detectors/impersonation/avatar_hash.h"
#include "detectors/impersonation/avatar_png.h"

namespace imp = mamori::detectors::impersonation;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  // Small limits keep each run fast and prove they are enforced before decoding.
  imp::DecodeLimits limits;
  limits.max_bytes = 256 * 1024;
  limits.max_pixels = 1024 * 1024;
  limits.max_side = 2048;
  const auto header = imp::read_image_header(bytes);
  const auto result = imp::compute_avatar_hash(bytes, limits);
  if (result.ok()) {
    const auto match = imp::compare_avatars(*result.hash, *result.hash);
    if (match.phash_distance != 0) __builtin_trap();        // an icon must match itself
    if (match.value_phash_distance != 0) __builtin_trap();  // also in the hue-invariant V channel
    if (!header || header->width == 0) __builtin_trap();    // decoded without a valid header
  }
  // The evidence re-encoding decodes the same bytes in colour under the same limits.
  const auto png = imp::render_evidence_png(bytes, limits, 64);
  if (png.ok()) {
    if (png.image->width > 64 || png.image->height > 64 || png.image->png.size() < 8)
      __builtin_trap();
    if (!header) __builtin_trap();
  }
  return 0;
}
