#include "detectors/flameup/calibration.h"

#include <algorithm>
#include <cmath>

namespace mamori::detectors::flameup {
namespace {

// Bin 0 holds surprises below kBase (most buckets: at or below the tolerated level); bin k >= 1
// the quarter octave [kBase 2^e (1 + j/4), kBase 2^e (1 + (j+1)/4)) with k = 1 + 4 e + j.
constexpr double kBase = 0.125;
constexpr double kRescaleAt = 1e20;

double lower_edge(int bin) {
  if (bin <= 0) return 0.0;
  const int e = (bin - 1) / 4;
  const int j = (bin - 1) % 4;
  return kBase * std::ldexp(1.0 + j / 4.0, e);
}

double upper_edge(int bin) {
  const int e = (bin - 1) / 4;
  const int j = (bin - 1) % 4;
  return kBase * std::ldexp(1.0 + (j + 1) / 4.0, e);
}

}  // namespace

SurpriseCalibration::SurpriseCalibration(double quantile, double reference, double exponent,
                                         double alpha, std::uint32_t refresh_every,
                                         double prior_buckets)
    : growth_(1.0 / (1.0 - std::clamp(alpha, 1e-9, 0.5))),
      quantile_(std::clamp(quantile, 0.5, 0.99999)),
      reference_(std::max(reference, 1e-6)),
      exponent_(std::clamp(exponent, 0.05, 1.0)),
      refresh_every_(std::max<std::uint32_t>(1, refresh_every)) {
  // Prior: `prior_buckets` of a well-modelled series (its calibration point at `reference`),
  // forgotten like any history. A new series starts at factor 1 and departs from it only on
  // evidence, not on the misfit of its first days, while the baseline is still learning its shape.
  const double prior = std::max(0.0, prior_buckets);
  bins_[0] = static_cast<float>(prior * quantile_);
  bins_[static_cast<std::size_t>(bin_of(reference_))] +=
      static_cast<float>(prior * (1.0 - quantile_));
  total_ = prior;
}

int SurpriseCalibration::bin_of(double surprise) {
  if (!(surprise >= kBase)) return 0;  // also NaN
  int e = 0;
  const double m = std::frexp(surprise / kBase, &e);  // surprise / kBase = m 2^e, m in [0.5, 1)
  const int k = 1 + 4 * (e - 1) + static_cast<int>((m - 0.5) * 8.0);
  return std::min(k, kBins - 1);
}

void SurpriseCalibration::add(double surprise) {
  bins_[static_cast<std::size_t>(bin_of(surprise))] += static_cast<float>(weight_);
  total_ += weight_;
  weight_ *= growth_;
  if (weight_ > kRescaleAt) {
    // Forgetting by growing weights: scale everything back down now and then (exact).
    const double s = 1.0 / weight_;
    for (float& b : bins_) b = static_cast<float>(b * s);
    total_ *= s;
    weight_ = 1.0;
  }
  if (++since_refresh_ >= refresh_every_) refresh();
}

double SurpriseCalibration::quantile_value() const {
  if (!(total_ > 0.0)) return 0.0;
  const double tail = (1.0 - quantile_) * total_;
  double above = 0.0;
  for (int k = kBins - 1; k >= 1; --k) {
    const double c = bins_[static_cast<std::size_t>(k)];
    if (above + c >= tail && c > 0.0) {
      // Linear within the bin: the point with `tail` of the weight above it.
      const double f = (tail - above) / c;
      return upper_edge(k) - f * (upper_edge(k) - lower_edge(k));
    }
    above += c;
  }
  return 0.0;  // the calibration point lies in bin 0 (below kBase)
}

void SurpriseCalibration::refresh() {
  since_refresh_ = 0;
  const double ratio = quantile_value() / reference_;
  factor_ = static_cast<float>(ratio > 1.0 ? std::pow(ratio, exponent_) : 1.0);
}

}  // namespace mamori::detectors::flameup
