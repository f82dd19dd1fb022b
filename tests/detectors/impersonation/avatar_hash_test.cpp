// Avatar decoding under limits (decompression bombs, formats) and hash robustness.
#include "detectors/impersonation/avatar_hash.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <opencv2/imgproc.hpp>

#include "tests/detectors/impersonation/avatar_recipes.h"

namespace mamori::detectors::impersonation {
namespace {

using testing::impersonation::encode;
using testing::impersonation::render_emblem;
using testing::impersonation::render_face;

std::vector<std::uint8_t> png_header_only(std::uint32_t w, std::uint32_t h) {
  std::vector<std::uint8_t> b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n',
                                 0,    0,   0,   13,  'I',  'H',  'D',  'R'};
  for (std::uint32_t v : {w, h}) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
  }
  for (std::uint8_t x : {8, 2, 0, 0, 0, 0, 0, 0, 0}) b.push_back(x);  // depth, colour, ..., CRC
  return b;
}

TEST(AvatarDecode, InconsistentWebpNeverReachesAnotherOpenCvDecoder) {
  // Found by fuzz_avatar_decode: a WebP whose first chunk is larger than the RIFF fails libwebp's
  // signature check, and cv::imdecode then tried its DICOM decoder, which allocated 3.4 GB.
  auto bytes = encode(render_emblem(2), "webp");
  ASSERT_GE(bytes.size(), 32U);
  const auto good = compute_avatar_hash(bytes);
  ASSERT_TRUE(good.ok()) << good.message;
  bytes[19] = 0x10;  // VP8 chunk size += 256 MiB
  const auto r = compute_avatar_hash(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.rejection, AvatarRejection::bad_header);
  EXPECT_NE(r.message.find("signature"), std::string::npos) << r.message;

  // A "DICM" marker at offset 128 (what the DICOM decoder looks for) is refused outright.
  auto png = encode(render_emblem(3), "png");
  ASSERT_GE(png.size(), 132U);
  std::copy_n("DICM", 4, png.begin() + 128);
  EXPECT_FALSE(compute_avatar_hash(png).ok());
}

TEST(AvatarDecode, PngBombIsRejectedFromTheHeader) {
  // A real image with its IHDR rewritten to 60000 x 60000: never decoded.
  auto bytes = encode(render_emblem(1), "png");
  const auto bomb = png_header_only(60000, 60000);
  std::copy(bomb.begin() + 16, bomb.begin() + 24, bytes.begin() + 16);
  const auto r = compute_avatar_hash(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.rejection, AvatarRejection::too_many_pixels);
  ASSERT_TRUE(r.header);
  EXPECT_EQ(r.header->width, 60000U);
  EXPECT_NE(r.message.find("not decoded"), std::string::npos);
}

TEST(AvatarDecode, JpegBombIsRejectedFromTheFrameHeader) {
  auto bytes = encode(render_emblem(2), "jpeg");
  const auto header = read_image_header(bytes);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->format, ImageFormat::jpeg);
  EXPECT_EQ(header->width, 400U);
  // Patch the SOF0 dimensions to 65000 x 65000.
  for (std::size_t i = 2; i + 9 < bytes.size(); ++i) {
    if (bytes[i] == 0xFF && bytes[i + 1] == 0xC0) {
      bytes[i + 5] = 0xFD;
      bytes[i + 6] = 0xE8;
      bytes[i + 7] = 0xFD;
      bytes[i + 8] = 0xE8;
      break;
    }
  }
  const auto r = compute_avatar_hash(bytes);
  EXPECT_EQ(r.rejection, AvatarRejection::too_many_pixels);
}

TEST(AvatarDecode, LimitsAreConfigurable) {
  const auto bytes = encode(render_emblem(3), "png");
  DecodeLimits tight;
  tight.max_pixels = 100 * 100;
  EXPECT_EQ(compute_avatar_hash(bytes, tight).rejection, AvatarRejection::too_many_pixels);
  tight = DecodeLimits{};
  tight.max_bytes = 100;
  EXPECT_EQ(compute_avatar_hash(bytes, tight).rejection, AvatarRejection::too_large_bytes);
}

TEST(AvatarDecode, GifAndOtherFormatsAreRefusedWithAReason) {
  const std::vector<std::uint8_t> gif = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0};
  const auto r = compute_avatar_hash(gif);
  EXPECT_EQ(r.rejection, AvatarRejection::unsupported_format);
  EXPECT_NE(r.message.find("GIF"), std::string::npos);
  const std::vector<std::uint8_t> bmp = {'B', 'M', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(compute_avatar_hash(bmp).rejection, AvatarRejection::unknown_format);
  const std::vector<std::uint8_t> tiff = {'I', 'I', 42, 0, 8, 0, 0, 0};
  EXPECT_EQ(compute_avatar_hash(tiff).rejection, AvatarRejection::unknown_format);
  EXPECT_EQ(compute_avatar_hash({}).rejection, AvatarRejection::empty);
}

TEST(AvatarDecode, TruncatedAndCorruptImagesAreRejectedNotCrashed) {
  auto bytes = encode(render_emblem(4), "png");
  bytes.resize(20);
  EXPECT_EQ(compute_avatar_hash(bytes).rejection, AvatarRejection::bad_header);
  auto jpeg = encode(render_emblem(4), "jpeg");
  jpeg.resize(jpeg.size() / 3);  // header intact, data cut
  const auto r = compute_avatar_hash(jpeg);
  // libjpeg pads a truncated stream with grey: either a hash or a decode failure, never a crash.
  EXPECT_TRUE(r.ok() || r.rejection == AvatarRejection::decode_failed);
  auto png = encode(render_emblem(4), "png");
  for (std::size_t i = 40; i < png.size(); i += 7) png[i] ^= 0x5A;
  EXPECT_EQ(compute_avatar_hash(png).rejection, AvatarRejection::decode_failed);
}

TEST(AvatarDecode, AllSupportedFormatsHashAlike) {
  const cv::Mat img = render_emblem(5);
  const auto png = compute_avatar_hash(encode(img, "png"));
  const auto jpeg = compute_avatar_hash(encode(img, "jpeg", 60));
  const auto webp = compute_avatar_hash(encode(img, "webp", 60));
  ASSERT_TRUE(png.ok() && jpeg.ok() && webp.ok());
  EXPECT_LE(compare_avatars(*jpeg.hash, *png.hash).phash_distance, 4);
  EXPECT_LE(compare_avatars(*webp.hash, *png.hash).phash_distance, 4);
  EXPECT_EQ(webp.header->format, ImageFormat::webp);
}

TEST(AvatarHashing, ResizedAndCroppedCopiesMatchUnrelatedDoNot) {
  const cv::Mat img = render_emblem(7);
  const auto official = compute_official_avatar_hash(encode(img, "png"));
  ASSERT_TRUE(official.ok());
  cv::Mat small;
  cv::resize(img, small, cv::Size(96, 96), 0, 0, cv::INTER_AREA);
  const auto resized = compute_avatar_hash(encode(small, "jpeg", 70));
  EXPECT_LE(compare_avatars(*resized.hash, *official.hash).phash_distance, 6);
  const cv::Mat cropped = img(cv::Rect(60, 20, 320, 320)).clone();  // 80%, off centre
  const auto crop = compute_avatar_hash(encode(cropped, "jpeg", 85));
  const AvatarMatch m = compare_avatars(*crop.hash, *official.hash);
  EXPECT_LE(m.crop_distance, 10);
  EXPECT_GE(m.crop_radial_correlation, 0.85);
  const auto face = compute_avatar_hash(encode(render_face(7), "png"));
  const AvatarMatch other = compare_avatars(*face.hash, *official.hash);
  EXPECT_GT(other.phash_distance, 14);
  EXPECT_TRUE(other.crop_distance > 12 || other.crop_radial_correlation < 0.85);
}

std::vector<std::uint8_t> hue_shifted(int emblem, int degrees, const char* format = "jpeg") {
  boost::json::object recipe;
  recipe["base"] = boost::json::object{{"emblem", emblem}};
  recipe["ops"] = boost::json::array{boost::json::object{{"op", "hue"}, {"shift", degrees}}};
  recipe["format"] = format;
  return testing::impersonation::render_recipe(recipe);
}

// The luma pHash moves when an impersonator rotates the icon's hue; V = max(B,G,R) does not.
TEST(AvatarHashing, HueShiftedCopiesMatchInTheValueChannel) {
  int luma_misses = 0;
  for (int emblem = 0; emblem < 12; ++emblem) {
    const auto official = compute_avatar_hash(encode(render_emblem(emblem), "png"));
    ASSERT_TRUE(official.ok());
    for (const int degrees : {60, 90, 135, 180, 270}) {
      const auto copy = compute_avatar_hash(hue_shifted(emblem, degrees));
      ASSERT_TRUE(copy.ok()) << copy.message;
      const AvatarMatch m = compare_avatars(*copy.hash, *official.hash);
      EXPECT_LE(m.value_phash_distance, 6) << "emblem " << emblem << " shift " << degrees;
      if (m.phash_distance > 8) ++luma_misses;
    }
  }
  // The channel is needed: luma alone loses some of these copies.
  EXPECT_GE(luma_misses, 1);
}

TEST(AvatarHashing, ValueChannelDoesNotMatchOtherIcons) {
  const auto official = compute_official_avatar_hash(encode(render_emblem(3), "png"));
  ASSERT_TRUE(official.ok());
  for (const int seed : {1000, 1001, 1002, 4, 5}) {  // others' emblems, other bodies' icons
    const auto other = compute_avatar_hash(encode(render_emblem(seed), "jpeg"));
    ASSERT_TRUE(other.ok());
    const AvatarMatch m = compare_avatars(*other.hash, *official.hash);
    EXPECT_GT(m.value_phash_distance, 10) << seed;
    EXPECT_GT(m.value_crop_distance, 6) << seed;
  }
  const auto face = compute_avatar_hash(encode(render_face(3), "png"));
  const AvatarMatch m = compare_avatars(*face.hash, *official.hash);
  EXPECT_GT(m.value_phash_distance, 14);
  EXPECT_GT(m.value_crop_distance, 6);
}

// A greyscale copy keeps luma, not V: the luma hash still carries it.
TEST(AvatarHashing, GreyscaleCopyStillMatchesInLuma) {
  const cv::Mat img = render_emblem(6);
  const auto official = compute_official_avatar_hash(encode(img, "png"));
  cv::Mat grey;
  cv::Mat grey_bgr;
  cv::cvtColor(img, grey, cv::COLOR_BGR2GRAY);
  cv::cvtColor(grey, grey_bgr, cv::COLOR_GRAY2BGR);
  const auto copy = compute_avatar_hash(encode(grey_bgr, "jpeg", 80));
  ASSERT_TRUE(official.ok() && copy.ok());
  EXPECT_LE(compare_avatars(*copy.hash, *official.hash).phash_distance, 4);
}

}  // namespace
}  // namespace mamori::detectors::impersonation
