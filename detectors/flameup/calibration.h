// Per-series calibration of the count model's surprise (-log10 tail probability).
//
// The negative-binomial null is a model; on some series (heavy tails, news bursts every day) its
// tail probabilities are far too small, on others about right. Like Numenta's anomaly likelihood,
// the detector therefore also judges a surprise against the distribution of the series' own
// recent calm surprises (buckets outside episodes, below the close threshold): if the surprise
// this series exceeds in 3% of its calm buckets (the calibration quantile) is k times the
// `reference`, the surprise of a well-modelled series, its open threshold is k times higher (a
// tempered likelihood: the model's tail probabilities are taken as k-th roots). The factor is
// never below 1: a series whose surprises run cooler than the reference keeps the model's.
//
// Fixed memory (a decayed histogram on quarter-octave bins), O(1) per bucket.
#pragma once

#include <array>
#include <cstdint>

namespace mamori::detectors::flameup {

class SurpriseCalibration {
 public:
  static constexpr int kBins = 24;

  // `quantile` in (0, 1): the share of buckets below the calibration point (0.99).
  // `reference` > 0: that point's surprise on a well-modelled series.
  // `alpha` in (0, 1): per-bucket forgetting rate (1 / the memory in buckets).
  // `refresh_every` >= 1: buckets between recomputations of the factor.
  // `prior_buckets`: weight of the prior (a series whose calibration point is `reference`).
  SurpriseCalibration(double quantile, double reference, double alpha, std::uint32_t refresh_every,
                      double prior_buckets);

  // Learns one bucket's (uncalibrated) surprise.
  void add(double surprise);

  // The divisor for this series' surprises, >= 1.
  double factor() const { return factor_; }

  // The surprise exceeded by (1 - quantile) of the remembered buckets (0 without history).
  double quantile_value() const;

  // Buckets remembered, with forgetting (at most about 1 / alpha).
  double effective_buckets() const { return total_ / weight_; }

 private:
  static int bin_of(double surprise);
  void refresh();

  std::array<float, kBins> bins_{};
  double weight_ = 1.0;  // weight of the next bucket; grows by 1 / (1 - alpha) per bucket
  double total_ = 0.0;
  double growth_ = 1.0;
  double quantile_ = 0.99;
  double reference_ = 1.0;
  float factor_ = 1.0f;
  std::uint32_t refresh_every_ = 1;
  std::uint32_t since_refresh_ = 0;
};

}  // namespace mamori::detectors::flameup
