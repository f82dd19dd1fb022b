#include "detectors/impersonation/avatar_hash.h"

#include <bit>
#include <cstring>
#include <exception>
#include <opencv2/core.hpp>
#include <opencv2/img_hash.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace mamori::detectors::impersonation {
namespace {

// Icons are normalized to this size before hashing so that a 400px original and a 200px
// re-upload hash alike; the decoder downscales JPEGs towards it for speed.
constexpr int kCanonicalSide = 64;
constexpr std::uint32_t kDecodeTargetSide = 48;
constexpr std::array<double, 2> kZooms = {0.80, 0.64};
// The crop grid of official icons: side fractions and offset step (of the side).
constexpr std::array<double, 6> kGridSizes = {0.95, 0.90, 0.85, 0.80, 0.75, 0.70};
constexpr double kGridStep = 0.025;
// Crops within this many bits of the best-aligned one are checked with RadialVarianceHash.
constexpr int kAlignSlack = 2;
// Beyond this best-crop distance no crop is re-hashed: it cannot be a copy.
constexpr int kMaxAlignDistance = 16;
constexpr int kThumbnailSide = 200;

std::uint32_t be16(const std::uint8_t* p) {
  return (static_cast<std::uint32_t>(p[0]) << 8) | p[1];
}
std::uint32_t be32(const std::uint8_t* p) {
  return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
         (static_cast<std::uint32_t>(p[2]) << 8) | p[3];
}
std::uint32_t le16(const std::uint8_t* p) {
  return p[0] | (static_cast<std::uint32_t>(p[1]) << 8);
}
std::uint32_t le24(const std::uint8_t* p) {
  return p[0] | (static_cast<std::uint32_t>(p[1]) << 8) | (static_cast<std::uint32_t>(p[2]) << 16);
}
std::uint32_t le32(const std::uint8_t* p) {
  return le24(p) | (static_cast<std::uint32_t>(p[3]) << 24);
}

bool is_sof(std::uint8_t marker) {
  // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

std::optional<ImageHeader> jpeg_header(std::span<const std::uint8_t> b) {
  std::size_t i = 2;  // after SOI
  while (i + 4 <= b.size()) {
    if (b[i] != 0xFF) return std::nullopt;
    while (i < b.size() && b[i] == 0xFF) ++i;  // fill bytes
    if (i >= b.size()) return std::nullopt;
    const std::uint8_t marker = b[i++];
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;           // no length
    if (marker == 0xD8 || marker == 0xD9 || marker == 0xDA) return std::nullopt;  // no frame yet
    if (i + 2 > b.size()) return std::nullopt;
    const std::uint32_t length = be16(&b[i]);
    if (length < 2) return std::nullopt;
    if (is_sof(marker)) {
      if (length < 8 || i + 7 > b.size()) return std::nullopt;
      ImageHeader h{ImageFormat::jpeg, be16(&b[i + 5]), be16(&b[i + 3]), false};
      return h;
    }
    i += length;
  }
  return std::nullopt;
}

std::optional<ImageHeader> png_header(std::span<const std::uint8_t> b) {
  // Signature (8), then the IHDR chunk must come first: length 13, "IHDR", width, height.
  if (b.size() < 8 + 8 + 13) return std::nullopt;
  if (be32(&b[8]) != 13 || std::memcmp(&b[12], "IHDR", 4) != 0) return std::nullopt;
  return ImageHeader{ImageFormat::png, be32(&b[16]), be32(&b[20]), false};
}

std::optional<ImageHeader> webp_header(std::span<const std::uint8_t> b) {
  if (b.size() < 30) return std::nullopt;
  const std::uint8_t* chunk = &b[12];
  const std::uint8_t* data = chunk + 8;
  if (std::memcmp(chunk, "VP8 ", 4) == 0) {
    // Frame tag (3 bytes), start code 9d 01 2a, then 14-bit width and height.
    if (data[3] != 0x9D || data[4] != 0x01 || data[5] != 0x2A) return std::nullopt;
    return ImageHeader{ImageFormat::webp, le16(data + 6) & 0x3FFFU, le16(data + 8) & 0x3FFFU,
                       false};
  }
  if (std::memcmp(chunk, "VP8L", 4) == 0) {
    if (data[0] != 0x2F) return std::nullopt;
    const std::uint32_t bits = le32(data + 1);
    return ImageHeader{ImageFormat::webp, (bits & 0x3FFFU) + 1, ((bits >> 14) & 0x3FFFU) + 1,
                       false};
  }
  if (std::memcmp(chunk, "VP8X", 4) == 0) {
    const bool animated = (data[0] & 0x02U) != 0;
    return ImageHeader{ImageFormat::webp, le24(data + 4) + 1, le24(data + 7) + 1, animated};
  }
  return std::nullopt;
}

std::optional<ImageHeader> gif_header(std::span<const std::uint8_t> b) {
  if (b.size() < 10) return std::nullopt;
  return ImageHeader{ImageFormat::gif, le16(&b[6]), le16(&b[8]), false};
}

AvatarHashResult reject(AvatarRejection why, std::string message,
                        std::optional<ImageHeader> header = std::nullopt) {
  AvatarHashResult r;
  r.rejection = why;
  r.message = std::move(message);
  r.header = header;
  return r;
}

std::uint64_t to_u64(const cv::Mat& hash) {
  std::uint64_t v = 0;
  std::memcpy(&v, hash.ptr<std::uint8_t>(), sizeof v);
  return v;
}

struct Hashers {
  cv::Ptr<cv::img_hash::PHash> phash = cv::img_hash::PHash::create();
  cv::Ptr<cv::img_hash::RadialVarianceHash> radial = cv::img_hash::RadialVarianceHash::create();
};

// One set per thread: the OpenCV hash objects keep scratch buffers between calls.
Hashers& hashers() {
  thread_local Hashers h;
  return h;
}

std::uint64_t phash_of(const cv::Mat& gray) {
  cv::Mat out;
  hashers().phash->compute(gray, out);
  return to_u64(out);
}

cv::Mat central(const cv::Mat& img, double zoom) {
  const int w = std::max(1, static_cast<int>(img.cols * zoom));
  const int h = std::max(1, static_cast<int>(img.rows * zoom));
  return img(cv::Rect((img.cols - w) / 2, (img.rows - h) / 2, w, h));
}

cv::Mat canonical(const cv::Mat& img) {
  cv::Mat out;
  const int interpolation = img.cols >= kCanonicalSide ? cv::INTER_AREA : cv::INTER_LINEAR;
  cv::resize(img, out, cv::Size(kCanonicalSide, kCanonicalSide), 0, 0, interpolation);
  return out;
}

}  // namespace

std::string_view to_string(ImageFormat format) {
  switch (format) {
    case ImageFormat::jpeg:
      return "JPEG";
    case ImageFormat::png:
      return "PNG";
    case ImageFormat::webp:
      return "WebP";
    case ImageFormat::gif:
      return "GIF";
    case ImageFormat::unknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view to_string(AvatarRejection rejection) {
  switch (rejection) {
    case AvatarRejection::empty:
      return "empty";
    case AvatarRejection::too_large_bytes:
      return "too_large_bytes";
    case AvatarRejection::unknown_format:
      return "unknown_format";
    case AvatarRejection::unsupported_format:
      return "unsupported_format";
    case AvatarRejection::bad_header:
      return "bad_header";
    case AvatarRejection::too_many_pixels:
      return "too_many_pixels";
    case AvatarRejection::decode_failed:
      return "decode_failed";
  }
  return "unknown";
}

std::optional<ImageHeader> read_image_header(std::span<const std::uint8_t> b) {
  if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return jpeg_header(b);
  static constexpr std::uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (b.size() >= 8 && std::memcmp(b.data(), kPng, 8) == 0) return png_header(b);
  if (b.size() >= 12 && std::memcmp(b.data(), "RIFF", 4) == 0 &&
      std::memcmp(b.data() + 8, "WEBP", 4) == 0) {
    return webp_header(b);
  }
  if (b.size() >= 6 &&
      (std::memcmp(b.data(), "GIF87a", 6) == 0 || std::memcmp(b.data(), "GIF89a", 6) == 0)) {
    return gif_header(b);
  }
  return std::nullopt;
}

namespace {

struct Decoded {
  cv::Mat gray;   // luma
  cv::Mat value;  // V = max(B, G, R), unchanged by a hue shift
  std::optional<ImageHeader> header;
  std::optional<AvatarRejection> rejection;
  std::string message;
};

Decoded fail(AvatarRejection why, std::string message, std::optional<ImageHeader> header = {}) {
  Decoded d;
  d.rejection = why;
  d.message = std::move(message);
  d.header = header;
  return d;
}

}  // namespace

namespace {

// What libwebp's WebPGetFeatures (OpenCV's WebP signature check) insists on: "RIFF" size "WEBP",
// a VP8/VP8L/VP8X first chunk, the RIFF size within the data and the first chunk within the RIFF.
bool webp_chunks_consistent(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 32 || std::memcmp(bytes.data(), "RIFF", 4) != 0 ||
      std::memcmp(bytes.data() + 8, "WEBPVP", 6) != 0) {
    return false;
  }
  const std::uint64_t riff_size = le32(bytes.data() + 4);
  const std::uint64_t chunk_size = le32(bytes.data() + 16);
  return riff_size + 8 <= bytes.size() && riff_size >= 12 && chunk_size + 8 <= riff_size - 4;
}

}  // namespace

DecodeCheck check_decodable(std::span<const std::uint8_t> bytes, const DecodeLimits& limits) {
  auto refuse = [](AvatarRejection why, std::string message,
                   std::optional<ImageHeader> header = std::nullopt) {
    DecodeCheck c;
    c.rejection = why;
    c.message = std::move(message);
    c.header = header;
    return c;
  };
  if (bytes.empty()) return refuse(AvatarRejection::empty, "image is empty");
  if (bytes.size() > limits.max_bytes) {
    return refuse(AvatarRejection::too_large_bytes, "image is " + std::to_string(bytes.size()) +
                                                        " bytes, limit " +
                                                        std::to_string(limits.max_bytes));
  }
  const bool known_magic = (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8) ||
                           (bytes.size() >= 4 && bytes[0] == 0x89 && bytes[1] == 'P') ||
                           (bytes.size() >= 4 && std::memcmp(bytes.data(), "RIFF", 4) == 0) ||
                           (bytes.size() >= 3 && std::memcmp(bytes.data(), "GIF", 3) == 0);
  const auto header = read_image_header(bytes);
  if (!header) {
    if (!known_magic) {
      return refuse(AvatarRejection::unknown_format, "not a JPEG, PNG, WebP or GIF image");
    }
    return refuse(AvatarRejection::bad_header, "image header is truncated or malformed");
  }
  const std::string dims = std::to_string(header->width) + "x" + std::to_string(header->height);
  if (header->format == ImageFormat::gif) {
    return refuse(AvatarRejection::unsupported_format,
                  "GIF (" + dims + ") cannot be decoded: the system OpenCV 4.6 has no GIF decoder",
                  header);
  }
  if (header->animated) {
    return refuse(AvatarRejection::unsupported_format, "animated WebP is not supported", header);
  }
  if (header->width == 0 || header->height == 0) {
    return refuse(AvatarRejection::bad_header, "image header declares a zero dimension", header);
  }
  // cv::imdecode picks its decoder by signature, trying every codec OpenCV was built with (DICOM,
  // TIFF, OpenEXR, ...). Unless the bytes carry exactly the signature OpenCV's decoder for the
  // sniffed format expects, it could fall through to another one (a fuzzer found GDCM allocating
  // gigabytes from a crafted "JPEG"): so require that signature here.
  static constexpr std::uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  const bool exact_signature =
      (header->format == ImageFormat::jpeg && bytes.size() >= 3 && bytes[0] == 0xFF &&
       bytes[1] == 0xD8 && bytes[2] == 0xFF) ||
      (header->format == ImageFormat::png && bytes.size() >= 8 &&
       std::memcmp(bytes.data(), kPng, 8) == 0) ||
      (header->format == ImageFormat::webp && webp_chunks_consistent(bytes));
  // The one decoder that looks past offset 0 is DICOM's ("DICM" at 128): never let it see bytes.
  const bool dicom_marker = bytes.size() >= 132 && std::memcmp(bytes.data() + 128, "DICM", 4) == 0;
  if (!exact_signature || dicom_marker) {
    return refuse(AvatarRejection::bad_header,
                  std::string(to_string(header->format)) + " signature is malformed", header);
  }
  const std::uint64_t pixels = static_cast<std::uint64_t>(header->width) * header->height;
  if (header->width > limits.max_side || header->height > limits.max_side ||
      pixels > limits.max_pixels) {
    return refuse(AvatarRejection::too_many_pixels,
                  std::string(to_string(header->format)) + " declares " + dims + " (" +
                      std::to_string(pixels) + " pixels), limit " +
                      std::to_string(limits.max_pixels) + " pixels and " +
                      std::to_string(limits.max_side) + " per side; not decoded",
                  header);
  }
  DecodeCheck ok;
  ok.header = header;
  return ok;
}

namespace {

// Sniff, check limits from the header, then decode to 8-bit colour and derive luma and V. `reduce`
// lets the decoder downscale towards kDecodeTargetSide (JPEG does it in the DCT, almost for free).
Decoded decode_channels(std::span<const std::uint8_t> bytes, const DecodeLimits& limits,
                        bool reduce) {
  const DecodeCheck check = check_decodable(bytes, limits);
  if (!check.ok()) return fail(*check.rejection, check.message, check.header);
  const auto& header = check.header;
  const std::uint32_t short_side = std::min(header->width, header->height);
  int flags = cv::IMREAD_COLOR;
  if (reduce && short_side >= 8 * kDecodeTargetSide) {
    flags = cv::IMREAD_REDUCED_COLOR_8;
  } else if (reduce && short_side >= 4 * kDecodeTargetSide) {
    flags = cv::IMREAD_REDUCED_COLOR_4;
  } else if (reduce && short_side >= 2 * kDecodeTargetSide) {
    flags = cv::IMREAD_REDUCED_COLOR_2;
  }
  flags |= cv::IMREAD_IGNORE_ORIENTATION;
  Decoded d;
  d.header = header;
  try {
    // The Mat wraps the caller's bytes without copying; imdecode only reads them.
    const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1,
                         const_cast<std::uint8_t*>(bytes.data()));
    const cv::Mat colour = cv::imdecode(buffer, flags);
    if (colour.empty() || colour.type() != CV_8UC3) {
      return fail(AvatarRejection::decode_failed,
                  std::string(to_string(header->format)) + " data could not be decoded", header);
    }
    cv::cvtColor(colour, d.gray, cv::COLOR_BGR2GRAY);
    cv::Mat channels[3];
    cv::split(colour, channels);
    cv::max(channels[0], channels[1], d.value);
    cv::max(d.value, channels[2], d.value);
  } catch (const cv::Exception& e) {
    return fail(AvatarRejection::decode_failed,
                std::string(to_string(header->format)) + " decoding failed: " + e.msg, header);
  }
  return d;
}

std::array<std::uint8_t, 40> radial_of(const cv::Mat& canonical_gray) {
  cv::Mat radial;
  hashers().radial->compute(canonical_gray, radial);
  std::array<std::uint8_t, 40> out{};
  if (radial.total() != out.size()) {
    throw cv::Exception(cv::Error::StsBadSize, "RadialVarianceHash returned an unexpected size",
                        "radial_of", __FILE__, __LINE__);
  }
  std::memcpy(out.data(), radial.ptr<std::uint8_t>(), out.size());
  return out;
}

AvatarHash hash_channels(const cv::Mat& gray, const cv::Mat& value) {
  AvatarHash hash;
  const cv::Mat whole = canonical(gray);
  hash.phash = phash_of(whole);
  hash.value_phash = phash_of(canonical(value));
  for (std::size_t i = 0; i < kZooms.size(); ++i) {
    hash.phash_zoomed[i] = phash_of(canonical(central(gray, kZooms[i])));
    hash.value_phash_zoomed[i] = phash_of(canonical(central(value, kZooms[i])));
  }
  hash.radial = radial_of(whole);
  return hash;
}

double radial_correlation(const std::array<std::uint8_t, 40>& x,
                          const std::array<std::uint8_t, 40>& y) {
  const cv::Mat a(1, static_cast<int>(x.size()), CV_8UC1, const_cast<std::uint8_t*>(x.data()));
  const cv::Mat b(1, static_cast<int>(y.size()), CV_8UC1, const_cast<std::uint8_t*>(y.data()));
  return hashers().radial->compare(a, b);
}

}  // namespace

AvatarHashResult compute_avatar_hash(std::span<const std::uint8_t> bytes,
                                     const DecodeLimits& limits) {
  Decoded d = decode_channels(bytes, limits, true);
  if (d.rejection) return reject(*d.rejection, std::move(d.message), d.header);
  try {
    AvatarHashResult r;
    r.hash = hash_channels(d.gray, d.value);
    r.header = d.header;
    return r;
  } catch (const cv::Exception& e) {
    return reject(AvatarRejection::decode_failed, std::string("hashing failed: ") + e.msg,
                  d.header);
  }
}

OfficialAvatarHashResult compute_official_avatar_hash(std::span<const std::uint8_t> bytes,
                                                      const DecodeLimits& limits) {
  OfficialAvatarHashResult r;
  Decoded d = decode_channels(bytes, limits, false);
  if (d.rejection) {
    r.rejection = d.rejection;
    r.message = std::move(d.message);
    return r;
  }
  try {
    OfficialAvatarHash h;
    h.whole = hash_channels(d.gray, d.value);
    // The crop grid on a thumbnail (enough detail for the crops' hashes), not the original.
    const double scale = static_cast<double>(kThumbnailSide) / std::min(d.gray.cols, d.gray.rows);
    cv::Mat thumb;
    cv::Mat value_thumb;
    if (scale < 1.0) {
      cv::resize(d.gray, thumb, cv::Size(), scale, scale, cv::INTER_AREA);
      cv::resize(d.value, value_thumb, cv::Size(), scale, scale, cv::INTER_AREA);
    } else {
      thumb = d.gray;
      value_thumb = d.value;
    }
    auto crops = std::make_shared<std::vector<CropHash>>();
    for (const double size : kGridSizes) {
      const int w = std::max(1, static_cast<int>(thumb.cols * size));
      const int ht = std::max(1, static_cast<int>(thumb.rows * size));
      const int steps = static_cast<int>(std::lround((1.0 - size) / kGridStep));
      for (int i = 0; i <= steps; ++i) {
        for (int j = 0; j <= steps; ++j) {
          const int x = (thumb.cols - w) * i / steps;
          const int y = (thumb.rows - ht) * j / steps;
          const cv::Rect rect(x, y, w, ht);
          const cv::Mat crop = canonical(thumb(rect));
          crops->push_back(
              {phash_of(crop), phash_of(canonical(value_thumb(rect))), radial_of(crop)});
        }
      }
    }
    crops->shrink_to_fit();
    h.crops = std::move(crops);
    r.hash = std::move(h);
  } catch (const cv::Exception& e) {
    r.rejection = AvatarRejection::decode_failed;
    r.message = std::string("hashing failed: ") + e.msg;
  }
  return r;
}

AvatarMatch compare_avatars(const AvatarHash& candidate, const AvatarHash& official) {
  const std::array<std::uint64_t, 3> c = {candidate.phash, candidate.phash_zoomed[0],
                                          candidate.phash_zoomed[1]};
  const std::array<std::uint64_t, 3> o = {official.phash, official.phash_zoomed[0],
                                          official.phash_zoomed[1]};
  AvatarMatch match;
  for (std::size_t i = 0; i < c.size(); ++i) {
    for (std::size_t j = 0; j < o.size(); ++j) {
      // Pairs of very different zooms cannot be the same picture cropped a little.
      if ((i == 0 && j == 2) || (i == 2 && j == 0)) continue;
      match.phash_distance = std::min(match.phash_distance, std::popcount(c[i] ^ o[j]));
    }
  }
  const std::array<std::uint64_t, 3> cand_value = {
      candidate.value_phash, candidate.value_phash_zoomed[0], candidate.value_phash_zoomed[1]};
  const std::array<std::uint64_t, 3> ov = {official.value_phash, official.value_phash_zoomed[0],
                                           official.value_phash_zoomed[1]};
  for (std::size_t i = 0; i < cand_value.size(); ++i) {
    for (std::size_t j = 0; j < ov.size(); ++j) {
      if ((i == 0 && j == 2) || (i == 2 && j == 0)) continue;
      match.value_phash_distance =
          std::min(match.value_phash_distance, std::popcount(cand_value[i] ^ ov[j]));
    }
  }
  match.radial_correlation = radial_correlation(candidate.radial, official.radial);
  return match;
}

AvatarMatch compare_avatars(const AvatarHash& candidate, const OfficialAvatarHash& official) {
  AvatarMatch match = compare_avatars(candidate, official.whole);
  if (!official.crops) return match;
  // Align: the crops nearest by pHash; confirm: the best RadialVarianceHash among them.
  for (const auto& crop : *official.crops) {
    match.crop_distance =
        std::min(match.crop_distance, std::popcount(candidate.phash ^ crop.phash));
    match.value_crop_distance = std::min(match.value_crop_distance,
                                         std::popcount(candidate.value_phash ^ crop.value_phash));
  }
  if (match.crop_distance > kMaxAlignDistance) return match;
  try {
    for (const auto& crop : *official.crops) {
      if (std::popcount(candidate.phash ^ crop.phash) > match.crop_distance + kAlignSlack) continue;
      match.crop_radial_correlation = std::max(match.crop_radial_correlation,
                                               radial_correlation(candidate.radial, crop.radial));
    }
  } catch (const cv::Exception&) {
    match.crop_radial_correlation = 0.0;  // a failed comparison confirms nothing
  }
  return match;
}

}  // namespace mamori::detectors::impersonation
