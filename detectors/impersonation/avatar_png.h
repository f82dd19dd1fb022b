// What mamori keeps of an avatar as evidence (issue 4): never the bytes the platform served,
// which could carry anything (polyglots, metadata, payloads for an image viewer), but an image
// mamori decoded under the same strict limits as the hashing path and encoded again itself as a
// PNG of bounded size. The original's SHA-256 is kept alongside by the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "detectors/impersonation/avatar_hash.h"

namespace mamori::detectors::impersonation {

struct EvidencePng {
  std::string png;  // PNG bytes, at most max_side pixels per side, 8-bit BGR
  int width = 0;
  int height = 0;
  ImageHeader original;  // format and dimensions of the decoded original
};

struct EvidencePngResult {
  std::optional<EvidencePng> image;
  std::optional<AvatarRejection> rejection;
  std::string message;  // English, why refused

  bool ok() const { return image.has_value(); }
};

// Checks (check_decodable), decodes in colour (the decoder downscales JPEG towards max_side),
// shrinks to fit max_side and encodes PNG. Never throws for bad input; thread-safe.
EvidencePngResult render_evidence_png(std::span<const std::uint8_t> bytes,
                                      const DecodeLimits& limits = {}, int max_side = 256);

}  // namespace mamori::detectors::impersonation
