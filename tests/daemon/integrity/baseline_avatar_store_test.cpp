// The approved baseline's icon in the store: judged by pHash when the icon was hashed (a new URL
// for the same picture only moves the baseline's URL; a different picture is an open change),
// by URL when it was not; and the hash of a re-encoded picture stays within the threshold.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "daemon/integrity/integrity_store.h"
#include "daemon/store/connection.h"
#include "daemon/store/migrations.h"
#include "detectors/impersonation/avatar_hash.h"
#include "tests/support/test_support.h"

namespace mamori::integrity {
namespace {

namespace di = detectors::integrity;

model::ProfileSnapshot official(const std::string& avatar_url) {
  model::ProfileSnapshot p;
  p.platform = model::Platform::x;
  p.account_id = "100";
  p.handle = "soma_city";
  p.display_name = "相馬市";
  p.description = "相馬市の公式アカウントです。";
  p.url = "https://www.city.soma.fukushima.jp/";
  p.avatar_url = avatar_url;
  return p;
}

class BaselineAvatarStore : public ::testing::Test {
 protected:
  void SetUp() override {
    c_ = store::connect(db_.dsn(), std::nullopt);
    store::apply_migrations(*c_);
  }
  std::string value(const std::string& sql) {
    pqxx::nontransaction tx(*c_);
    const auto r = tx.exec(sql);
    return r.empty() || r[0][0].is_null() ? std::string() : r[0][0].c_str();
  }
  ProfileCheck check(const std::string& url, std::optional<std::uint64_t> phash) {
    return check_profile(*c_, "soma_city", official(url), model::TimePoint{}, phash);
  }

  testing::ScratchDatabase db_;
  std::unique_ptr<pqxx::connection> c_;
};

constexpr std::uint64_t kCityLogo = 0xF0F0'0FF0'A5A5'3C3CULL;

TEST_F(BaselineAvatarStore, SamePictureAtANewUrlMovesTheBaselineUrlOnly) {
  ASSERT_TRUE(check("https://cdn/a.png", kCityLogo).first_baseline);
  EXPECT_EQ(value("SELECT avatar_phash FROM integrity_baselines"), "f0f00ff0a5a53c3c");
  // Re-encoded by the platform: a few bits differ, the URL is new.
  const auto r = check("https://cdn/b.png", kCityLogo ^ 0b1011ULL);
  EXPECT_TRUE(r.unexpected.empty());
  EXPECT_EQ(value("SELECT avatar_url FROM integrity_baselines"), "https://cdn/b.png");
  EXPECT_EQ(value("SELECT count(*) FROM integrity_observed_changes"), "0");
}

TEST_F(BaselineAvatarStore, DifferentPictureIsAnOpenChangeAndTheBaselineStays) {
  check("https://cdn/a.png", kCityLogo);
  const auto r = check("https://cdn/c.png", ~kCityLogo);
  ASSERT_EQ(r.unexpected.size(), 1u);
  EXPECT_EQ(r.unexpected[0].field, di::ProfileField::avatar);
  EXPECT_EQ(r.unexpected[0].after, "https://cdn/c.png");
  EXPECT_EQ(value("SELECT avatar_url FROM integrity_baselines"), "https://cdn/a.png");
  EXPECT_EQ(value("SELECT field || ' ' || status FROM integrity_observed_changes"), "avatar open");
  // Seen again on the next poll: recorded once.
  EXPECT_TRUE(check("https://cdn/c.png", ~kCityLogo).unexpected.empty());
}

TEST_F(BaselineAvatarStore, WithoutAHashTheUrlDecidesAndALaterHashIsFilledIn) {
  check("https://cdn/a.png", std::nullopt);
  EXPECT_EQ(value("SELECT avatar_phash FROM integrity_baselines"), "");
  // The icon could not be read: a new URL is reported rather than hidden.
  EXPECT_EQ(check("https://cdn/b.png", std::nullopt).unexpected.size(), 1u);
  // The approved URL hashed later completes the baseline without any change.
  EXPECT_TRUE(check("https://cdn/a.png", kCityLogo).unexpected.empty());
  EXPECT_EQ(value("SELECT avatar_phash FROM integrity_baselines"), "f0f00ff0a5a53c3c");
}

TEST_F(BaselineAvatarStore, ThresholdIsConfigurable) {
  check("https://cdn/a.png", kCityLogo);
  di::DiffOptions strict;
  strict.avatar_max_distance = 2;
  const auto r = check_profile(*c_, "soma_city", official("https://cdn/b.png"), model::TimePoint{},
                               kCityLogo ^ 0b1011ULL, strict);
  EXPECT_EQ(r.unexpected.size(), 1u);
}

// The pHash the monitor compares, on real pictures: the city's logo re-encoded as JPEG stays
// within the default threshold; another picture does not.
std::vector<std::uint8_t> encode(const cv::Mat& image, const std::string& ext, int quality = 90) {
  std::vector<std::uint8_t> out;
  cv::imencode(ext, image, out, {cv::IMWRITE_JPEG_QUALITY, quality});
  return out;
}

std::uint64_t phash_of(const std::vector<std::uint8_t>& bytes) {
  const detectors::impersonation::DecodeLimits limits{2U * 1024U * 1024U, 2048ULL * 2048ULL, 4096};
  const auto r = detectors::impersonation::compute_avatar_hash(bytes, limits);
  EXPECT_TRUE(r.hash.has_value()) << r.message;
  return r.hash ? r.hash->phash : 0;
}

TEST(AvatarPhashThreshold, ReencodedLogoIsTheSamePictureAnotherPictureIsNot) {
  cv::Mat logo(256, 256, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::circle(logo, {128, 128}, 90, cv::Scalar(40, 120, 20), cv::FILLED);
  cv::rectangle(logo, {70, 110}, {186, 146}, cv::Scalar(255, 255, 255), cv::FILLED);
  cv::Mat other(256, 256, CV_8UC3, cv::Scalar(20, 20, 20));
  cv::line(other, {0, 0}, {255, 255}, cv::Scalar(0, 215, 255), 40);
  cv::putText(other, "BTC", {40, 200}, cv::FONT_HERSHEY_SIMPLEX, 3.0, cv::Scalar(0, 215, 255), 8);
  cv::Mat smaller;
  cv::resize(logo, smaller, {200, 200}, 0, 0, cv::INTER_AREA);

  const di::DiffOptions defaults;
  const std::uint64_t png = phash_of(encode(logo, ".png"));
  EXPECT_LE(std::popcount(png ^ phash_of(encode(logo, ".jpg", 75))), defaults.avatar_max_distance);
  EXPECT_LE(std::popcount(png ^ phash_of(encode(smaller, ".png"))), defaults.avatar_max_distance);
  EXPECT_GT(std::popcount(png ^ phash_of(encode(other, ".png"))), defaults.avatar_max_distance);
}

}  // namespace
}  // namespace mamori::integrity
