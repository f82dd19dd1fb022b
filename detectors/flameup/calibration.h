// Per-series calibration of the count model's surprise (-log10 tail probability).
//
// The negative-binomial null is a model; on some series (heavy tails, news bursts every day) its
// tail probabilities are far too small, on others about right. Like Numenta's anomaly likelihood,
// the detector therefore also judges a surprise against the distribution of the series' own
// recent calm surprises (buckets outside episodes, below the close threshold): if the surprise
// this series exceeds in 3% of its calm buckets (the calibration quantile) is q, its open
// threshold is (q / `reference`)^`exponent` times higher (a tempered likelihood: the model's tail
// probabilities are taken as roots). The factor is never below 1: a series whose surprises run
// cooler than the reference keeps the model's.
//
// Why an exponent below 1: q is measured below the close threshold (surprise 2) but scales a
// threshold three times higher, and it is an estimate from a week of buckets that moves with each
// burst. A linear factor passes all of that noise to the threshold (on the NAB development series
// q of one series ran from 0.27 to 0.81 within weeks, and a window was found or missed on a few
// percent of threshold); the square root keeps the ordering of hot and cool series and halves the
// relative swing of the threshold, so results no longer hinge on a few percent of `reference`.
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
  // `reference` > 0: the calibration point at which the factor is 1.
  // `exponent` in (0, 1]: the factor is (calibration point / reference)^exponent.
  // `alpha` in (0, 1): per-bucket forgetting rate (1 / the memory in buckets).
  // `refresh_every` >= 1: buckets between recomputations of the factor.
  // `prior_buckets`: weight of the prior (a series whose calibration point is `reference`).
  SurpriseCalibration(double quantile, double reference, double exponent, double alpha,
                      std::uint32_t refresh_every, double prior_buckets);

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
  double exponent_ = 1.0;
  float factor_ = 1.0f;
  std::uint32_t refresh_every_ = 1;
  std::uint32_t since_refresh_ = 0;
};

}  // namespace mamori::detectors::flameup
