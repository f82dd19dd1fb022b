#include "detectors/flameup/tail.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mamori::detectors::flameup {
namespace {

constexpr double kLn10 = 2.302585092994045684;

double log_gamma(double x) {
  // lgamma_r: no write to the global signgam (detectors run on several threads).
  int sign = 0;
  return ::lgamma_r(x, &sign);
}

// Continued fraction of I_x(a, b) (DLMF 8.17.22), evaluated with the modified Lentz method.
// Converges quickly for x < (a + 1) / (a + b + 2).
double beta_continued_fraction(double x, double a, double b) {
  constexpr double kTiny = 1e-300;
  constexpr double kEps = 1e-13;
  constexpr int kMaxTerms = 20000;
  const double qab = a + b;
  const double qap = a + 1.0;
  const double qam = a - 1.0;
  double c = 1.0;
  double d = 1.0 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= kMaxTerms; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < kEps) break;
  }
  return h;
}

// log of x^a (1-x)^b / (a B(a, b)).
double log_front(double x, double a, double b) {
  return a * std::log(x) + b * std::log1p(-x) + log_gamma(a + b) - log_gamma(a) - log_gamma(b) -
         std::log(a);
}

}  // namespace

double log_incomplete_beta(double x, double a, double b) {
  if (!(x > 0.0)) return -std::numeric_limits<double>::infinity();
  if (!(x < 1.0)) return 0.0;
  if (x < (a + 1.0) / (a + b + 2.0)) {
    return log_front(x, a, b) + std::log(beta_continued_fraction(x, a, b));
  }
  // Symmetry: I_x(a, b) = 1 - I_{1-x}(b, a); here the result is not small.
  const double other = std::exp(log_front(1.0 - x, b, a)) * beta_continued_fraction(1.0 - x, b, a);
  return std::log1p(-std::min(other, 1.0 - 1e-16));
}

double nb_log10_upper_tail(double observed, double mean, double variance) {
  if (!(observed > 0.0)) return 0.0;  // also NaN
  mean = std::max(mean, 1e-9);
  variance = std::max(variance, mean * (1.0 + 1e-9));
  // NB(r, p) counting failures: mean = r q / p with q = 1 - p; P(X >= s) = I_q(s, r).
  const double r = mean * mean / (variance - mean);
  const double q = mean / (r + mean);
  return log_incomplete_beta(q, observed, r) / kLn10;
}

double nb_surprise(double observed, double mean, double variance) {
  const double s = -nb_log10_upper_tail(observed, mean, variance);
  if (!(s > 0.0)) return 0.0;
  return std::min(s, 1000.0);
}

}  // namespace mamori::detectors::flameup
