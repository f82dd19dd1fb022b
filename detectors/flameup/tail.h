// Count-aware tail probabilities: how surprising is a count under a negative-binomial null?
// A plain z-score would call 4 replies against a mean of 0.2 a 9-sigma event; the NB tail does not.
#pragma once

namespace mamori::detectors::flameup {

// log10 P(X >= observed) for X negative-binomial with the given mean and variance
// (variance > mean; overdispersed counts). `observed` may be fractional (continuous extension).
// Returns 0 for observed <= 0 and a finite negative number otherwise, even for p < 1e-300.
double nb_log10_upper_tail(double observed, double mean, double variance);

// -log10 of the above, clamped to [0, 1000]: the "surprise" of a count.
double nb_surprise(double observed, double mean, double variance);

// log of the regularized incomplete beta function I_x(a, b), for a, b > 0, 0 <= x <= 1.
double log_incomplete_beta(double x, double a, double b);

}  // namespace mamori::detectors::flameup
