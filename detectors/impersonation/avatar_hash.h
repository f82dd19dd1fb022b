// Avatar perceptual hashing (issue 4): OpenCV img_hash PHash (a DCT hash) of the whole icon and
// of two central zooms (a cropped copy of an icon matches one of them), plus RadialVarianceHash.
// The same pHashes are also taken of the HSV value channel V = max(B, G, R), which a hue
// rotation (HSV or HSL) leaves unchanged, so a recoloured copy of an icon still matches; the grey
// (luma) channel stays the primary one because a copy turned to greyscale keeps luma, not V.
// Untrusted bytes are decoded under strict limits: the format is sniffed and the pixel count
// read from the image header BEFORE any decoding, so a decompression bomb is refused, never
// decoded; only JPEG, PNG and still WebP reach the decoder (OpenCV 4.6 has no GIF decoder, so
// GIF is refused with a reason; TIFF, BMP, JPEG 2000 and others are refused as well).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::detectors::impersonation {

struct DecodeLimits {
  std::size_t max_bytes = 8U * 1024U * 1024U;    // platforms cap avatars at 1-8 MB
  std::uint64_t max_pixels = 4096ULL * 4096ULL;  // width * height from the header
  std::uint32_t max_side = 8192;                 // either dimension
};

enum class ImageFormat { unknown, jpeg, png, webp, gif };

std::string_view to_string(ImageFormat format);

struct ImageHeader {
  ImageFormat format = ImageFormat::unknown;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  bool animated = false;  // animated WebP (VP8X animation flag)
};

enum class AvatarRejection {
  empty,
  too_large_bytes,
  unknown_format,
  unsupported_format,  // GIF, animated WebP
  bad_header,
  too_many_pixels,
  decode_failed,
};

std::string_view to_string(AvatarRejection rejection);

// Reads format and dimensions from the first bytes without decoding; nullopt if unrecognized
// or truncated.
std::optional<ImageHeader> read_image_header(std::span<const std::uint8_t> bytes);

// The checks made before any decoding: size, format sniffed from the magic bytes, dimensions
// read from the header against the limits. ok() means the bytes may be handed to a decoder.
struct DecodeCheck {
  std::optional<ImageHeader> header;
  std::optional<AvatarRejection> rejection;
  std::string message;  // English, why refused

  bool ok() const { return !rejection.has_value(); }
};

DecodeCheck check_decodable(std::span<const std::uint8_t> bytes, const DecodeLimits& limits);

struct AvatarHash {
  std::uint64_t phash = 0;                      // PHash of the whole icon
  std::array<std::uint64_t, 2> phash_zoomed{};  // PHash of the central 80% and 64%
  std::array<std::uint8_t, 40> radial{};        // RadialVarianceHash digest
  // The same pHashes of V = max(B, G, R): invariant under a hue shift.
  std::uint64_t value_phash = 0;
  std::array<std::uint64_t, 2> value_phash_zoomed{};
};

// Either a hash, or why the image was refused (`message` is English, for logs and mamorictl).
struct AvatarHashResult {
  std::optional<AvatarHash> hash;
  std::optional<AvatarRejection> rejection;
  std::string message;
  std::optional<ImageHeader> header;

  bool ok() const { return hash.has_value(); }
};

// Sniffs, checks the limits, decodes (downscaled by the JPEG decoder where possible) and hashes.
// Never throws for bad input; thread-safe.
AvatarHashResult compute_avatar_hash(std::span<const std::uint8_t> bytes,
                                     const DecodeLimits& limits = {});

// One crop of an official icon: a copy that was cropped off-centre matches one of these.
struct CropHash {
  std::uint64_t phash = 0;
  std::uint64_t value_phash = 0;          // the same crop of the V channel
  std::array<std::uint8_t, 40> radial{};  // RadialVarianceHash of the crop (luma)
};

// An official icon, hashed once: the AvatarHash of the whole icon plus a grid of crops (sizes
// 70-95% of the side, offsets in 2.5% steps, about 450 crops), each with its pHashes and its
// RadialVarianceHash. A candidate is aligned to the crops by pHash, and the alignment confirmed
// by the aligned crops' RadialVarianceHash, which keeps unrelated emblem-like icons from
// matching. Everything a comparison needs is computed here, once per icon (on the avatar
// worker), so comparing a candidate with 2,000 official icons hashes nothing (issue 20: that
// re-hashing took 0.4 s per candidate on the event loop). About 26 KB per icon; the crops are
// shared between copies (the fetcher's cache and each detector's officials).
struct OfficialAvatarHash {
  AvatarHash whole;
  std::shared_ptr<const std::vector<CropHash>> crops;  // never null when computed
};

struct OfficialAvatarHashResult {
  std::optional<OfficialAvatarHash> hash;
  std::optional<AvatarRejection> rejection;
  std::string message;

  bool ok() const { return hash.has_value(); }
};

// Same limits and decoding as compute_avatar_hash, at full resolution (officials are few).
OfficialAvatarHashResult compute_official_avatar_hash(std::span<const std::uint8_t> bytes,
                                                      const DecodeLimits& limits = {});

struct AvatarMatch {
  int phash_distance = 64;          // whole icons: smallest distance over the zoom pairs, 0..64
  double radial_correlation = 0.0;  // whole icons: RadialVarianceHash correlation, [0, 1]
  int crop_distance = 64;           // best-aligned official crop: pHash distance
  double crop_radial_correlation = 0.0;  // ... and RadialVarianceHash correlation there
  // The hue-invariant V channel: smallest distance over the zoom pairs, and the best crop.
  int value_phash_distance = 64;
  int value_crop_distance = 64;
};

AvatarMatch compare_avatars(const AvatarHash& candidate, const AvatarHash& official);
AvatarMatch compare_avatars(const AvatarHash& candidate, const OfficialAvatarHash& official);

}  // namespace mamori::detectors::impersonation
