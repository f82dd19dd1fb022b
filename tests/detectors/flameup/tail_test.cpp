#include "detectors/flameup/tail.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mamori::detectors::flameup {
namespace {

// P(X >= s) for NB(mean m, variance v) by summing the pmf directly.
double brute_upper_tail(int s, double m, double v) {
  const double r = m * m / (v - m);
  const double p = r / (r + m);  // success probability
  double pmf = std::pow(p, r);   // P(X = 0)
  double below = 0.0;
  for (int k = 0; k < s; ++k) {
    below += pmf;
    pmf *= (k + r) / (k + 1.0) * (1.0 - p);
  }
  return 1.0 - below;
}

TEST(NegativeBinomialTail, MatchesDirectSummation) {
  const struct {
    int s;
    double m, v;
  } cases[] = {{1, 0.5, 1.0},   {3, 0.5, 1.5}, {5, 2.0, 6.0},   {10, 4.0, 5.0},
               {20, 8.0, 30.0}, {2, 3.0, 9.0}, {40, 30.0, 60.0}};
  for (const auto& c : cases) {
    const double expected = brute_upper_tail(c.s, c.m, c.v);
    const double got = std::pow(10.0, nb_log10_upper_tail(c.s, c.m, c.v));
    EXPECT_NEAR(got, expected, 1e-9 + 1e-6 * expected) << c.s << " " << c.m << " " << c.v;
  }
}

TEST(NegativeBinomialTail, ZeroOrNegativeCountIsCertain) {
  EXPECT_EQ(nb_log10_upper_tail(0.0, 3.0, 6.0), 0.0);
  EXPECT_EQ(nb_log10_upper_tail(-2.0, 3.0, 6.0), 0.0);
  EXPECT_EQ(nb_surprise(std::nan(""), 3.0, 6.0), 0.0);
}

TEST(NegativeBinomialTail, ExtremeCountsStayFiniteAndOrdered) {
  const double a = nb_surprise(400, 5.0, 8.0);
  const double b = nb_surprise(4000, 5.0, 8.0);
  EXPECT_TRUE(std::isfinite(a));
  EXPECT_GT(a, 50.0);
  EXPECT_GE(b, a);
  EXPECT_LE(b, 1000.0);
}

TEST(NegativeBinomialTail, OverdispersionMakesTheSameCountLessSurprising) {
  EXPECT_GT(nb_surprise(12, 3.0, 3.3), nb_surprise(12, 3.0, 12.0));
}

TEST(NegativeBinomialTail, MonotoneInTheCount) {
  double previous = 0.0;
  for (int s = 1; s < 60; ++s) {
    const double now = nb_surprise(s, 6.0, 15.0);
    EXPECT_GE(now, previous - 1e-12);
    previous = now;
  }
}

TEST(IncompleteBeta, KnownValues) {
  // I_x(1, 1) = x; I_x(2, 1) = x^2; I_0.5(a, a) = 0.5.
  EXPECT_NEAR(std::exp(log_incomplete_beta(0.3, 1, 1)), 0.3, 1e-12);
  EXPECT_NEAR(std::exp(log_incomplete_beta(0.3, 2, 1)), 0.09, 1e-12);
  EXPECT_NEAR(std::exp(log_incomplete_beta(0.5, 7.5, 7.5)), 0.5, 1e-10);
}

}  // namespace
}  // namespace mamori::detectors::flameup
