// Evidence PNGs: mamori's own bounded re-encoding of an avatar, under the hashing path's limits.
#include "detectors/impersonation/avatar_png.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "detectors/impersonation/avatar_hash.h"
#include "tests/detectors/impersonation/avatar_recipes.h"

namespace mamori::detectors::impersonation {
namespace {

using testing::impersonation::encode;
using testing::impersonation::render_emblem;
using testing::impersonation::render_face;

cv::Mat decode_png(const std::string& png) {
  const std::vector<std::uint8_t> bytes(png.begin(), png.end());
  return cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
}

TEST(EvidencePng, LargeJpegBecomesABoundedPngThatStillMatchesTheOriginal) {
  const auto jpeg = encode(render_face(3), "jpeg", 92);  // 400x400
  const auto r = render_evidence_png(jpeg, {}, 256);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.image->width, 256);
  EXPECT_EQ(r.image->height, 256);
  EXPECT_EQ(r.image->original.format, ImageFormat::jpeg);
  EXPECT_EQ(r.image->original.width, 400U);
  const cv::Mat back = decode_png(r.image->png);
  ASSERT_FALSE(back.empty());
  EXPECT_EQ(back.cols, 256);
  EXPECT_EQ(back.type(), CV_8UC3);
  // Not the served bytes, but the same picture: the hashes agree.
  EXPECT_NE(std::string(jpeg.begin(), jpeg.end()), r.image->png);
  const std::vector<std::uint8_t> png(r.image->png.begin(), r.image->png.end());
  const auto a = compute_avatar_hash(jpeg);
  const auto b = compute_avatar_hash(png);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_LE(compare_avatars(*a.hash, *b.hash).phash_distance, 4);
}

TEST(EvidencePng, SmallIconKeepsItsSizeAndAspect) {
  cv::Mat wide;
  cv::resize(render_emblem(5), wide, cv::Size(120, 60));
  const auto r = render_evidence_png(encode(wide, "webp"), {}, 256);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.image->width, 120);
  EXPECT_EQ(r.image->height, 60);
  cv::Mat tall;
  cv::resize(render_emblem(5), tall, cv::Size(300, 1200));
  const auto t = render_evidence_png(encode(tall, "png"), {}, 256);
  ASSERT_TRUE(t.ok()) << t.message;
  EXPECT_EQ(t.image->height, 256);
  EXPECT_EQ(t.image->width, 64);
}

TEST(EvidencePng, BombsBrokenDataAndGifAreRefusedLikeTheHashingPath) {
  auto bomb = encode(render_emblem(1), "png");
  const std::uint8_t dims[8] = {0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60};  // 60000 x 60000
  std::copy(std::begin(dims), std::end(dims), bomb.begin() + 16);
  const auto b = render_evidence_png(bomb);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.rejection, AvatarRejection::too_many_pixels);

  auto broken = encode(render_emblem(1), "png");
  broken.resize(60);  // header intact, data cut
  const auto c = render_evidence_png(broken);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.rejection, AvatarRejection::decode_failed);

  const std::vector<std::uint8_t> gif = {'G', 'I', 'F', '8', '9', 'a', 16, 0, 16, 0, 0, 0, 0};
  EXPECT_EQ(render_evidence_png(gif).rejection, AvatarRejection::unsupported_format);
  EXPECT_EQ(render_evidence_png({}).rejection, AvatarRejection::empty);

  DecodeLimits tight;
  tight.max_bytes = 100;
  EXPECT_EQ(render_evidence_png(encode(render_emblem(1), "png"), tight).rejection,
            AvatarRejection::too_large_bytes);
}

}  // namespace
}  // namespace mamori::detectors::impersonation
