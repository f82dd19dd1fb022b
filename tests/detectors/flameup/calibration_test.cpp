#include "detectors/flameup/calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace mamori::detectors::flameup {
namespace {

// One week of 5-minute buckets, refreshed hourly, three days of prior.
constexpr double kAlpha = 1.0 / 2016.0;
constexpr std::uint32_t kRefresh = 12;
constexpr double kPrior = 864.0;

TEST(SurpriseCalibration, ANewSeriesStartsAtFactorOne) {
  SurpriseCalibration c(0.97, 0.25, 1.0, kAlpha, kRefresh, kPrior);
  EXPECT_EQ(c.factor(), 1.0);
  // Even a first hour of large calm surprises does not move it against three days of prior.
  for (int i = 0; i < 12; ++i) c.add(1.5);
  EXPECT_LT(c.factor(), 1.2);
}

TEST(SurpriseCalibration, AHotSeriesGetsAFactorNearItsQuantileOverTheReference) {
  SurpriseCalibration c(0.97, 0.25, 1.0, kAlpha, kRefresh, kPrior);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  // Surprises uniform on [0, 2): the 97% point is 1.94, i.e. 7.8 x the reference.
  for (int i = 0; i < 20 * 288; ++i) c.add(2.0 * u(rng));
  EXPECT_NEAR(c.quantile_value(), 1.94, 0.15);
  EXPECT_NEAR(c.factor(), 1.94 / 0.25, 0.6);
}

TEST(SurpriseCalibration, TheExponentTempersTheFactor) {
  SurpriseCalibration linear(0.97, 0.1, 1.0, kAlpha, kRefresh, kPrior);
  SurpriseCalibration root(0.97, 0.1, 0.5, kAlpha, kRefresh, kPrior);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int i = 0; i < 20 * 288; ++i) {
    const double x = 2.0 * u(rng);
    linear.add(x);
    root.add(x);
  }
  // The same calibration point (about 1.94, 19.4 x the reference): the root halves the log.
  EXPECT_NEAR(root.quantile_value(), linear.quantile_value(), 1e-9);
  EXPECT_NEAR(root.factor(), std::sqrt(linear.factor()), 0.01);
  EXPECT_NEAR(root.factor(), std::sqrt(1.94 / 0.1), 0.3);
  // Below the reference both stay at 1.
  SurpriseCalibration cool(0.97, 0.1, 0.5, kAlpha, kRefresh, kPrior);
  for (int i = 0; i < 20 * 288; ++i) cool.add(i % 50 == 0 ? 0.05 : 0.0);
  EXPECT_EQ(cool.factor(), 1.0);
}

TEST(SurpriseCalibration, AWellModelledSeriesKeepsFactorOneAndAHotOneForgetsInWeeks) {
  SurpriseCalibration c(0.97, 0.25, 1.0, kAlpha, kRefresh, kPrior);
  for (int i = 0; i < 14 * 288; ++i) c.add(i % 50 == 0 ? 0.2 : 0.0);  // 2% at 0.2
  EXPECT_EQ(c.factor(), 1.0);
  for (int i = 0; i < 14 * 288; ++i) c.add(i % 10 == 0 ? 1.0 : 0.0);  // 10% at 1.0: hot
  EXPECT_GT(c.factor(), 3.0);
  for (int i = 0; i < 28 * 288; ++i) c.add(0.0);  // four weeks calm again
  EXPECT_EQ(c.factor(), 1.0);
  EXPECT_LT(c.effective_buckets(), 2100.0);
}

TEST(SurpriseCalibration, SurvivesLongRunsAndOddInput) {
  SurpriseCalibration c(0.97, 0.25, 1.0, 1e-4, 1, 0.0);
  for (int i = 0; i < 2'000'000; ++i) c.add(i % 3 == 0 ? 0.6 : 0.0);  // weights rescale 4 times
  EXPECT_NEAR(c.effective_buckets(), 1e4, 10.0);
  EXPECT_GT(c.factor(), 1.5);  // a third of the buckets at 0.6: the 97% point is 0.6
  EXPECT_LT(c.factor(), 4.0);
  c.add(std::numeric_limits<double>::quiet_NaN());
  c.add(-1.0);
  c.add(1e9);
  EXPECT_TRUE(std::isfinite(c.factor()));
  EXPECT_GE(c.factor(), 1.0);
}

}  // namespace
}  // namespace mamori::detectors::flameup
