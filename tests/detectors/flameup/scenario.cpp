#include "tests/detectors/flameup/scenario.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>

#include "tests/support/test_support.h"

namespace mamori::detectors::flameup::eval {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t p = s.find(sep); p != std::string::npos; p = s.find(sep, start)) {
    out.push_back(s.substr(start, p - start));
    start = p + 1;
  }
  out.push_back(s.substr(start));
  return out;
}

std::vector<std::vector<std::string>> tsv_rows(const std::filesystem::path& path) {
  std::istringstream in(testing::read_file(path));
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    rows.push_back(split(line, '\t'));
  }
  return rows;
}

// Distributions written out (std:: ones may differ between standard libraries; the expansion
// must be identical everywhere).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  double log_uniform(double a, double b) { return std::exp(uniform(std::log(a), std::log(b))); }
  double normal() {
    const double u1 = std::max(uniform(), 1e-300);
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }
  double lognormal(double mu, double sigma) { return std::exp(mu + sigma * normal()); }
  std::int64_t poisson(double lambda) {
    if (!(lambda > 0.0)) return 0;
    if (lambda < 30.0) {
      const double limit = std::exp(-lambda);
      std::int64_t k = 0;
      double p = uniform();
      while (p > limit) {
        ++k;
        p *= uniform();
      }
      return k;
    }
    return std::max<std::int64_t>(0, std::llround(lambda + std::sqrt(lambda) * normal()));
  }
  std::int64_t geometric_extra(double mean_extra) {  // failures before success, given mean
    if (!(mean_extra > 0.0)) return 0;
    const double p = 1.0 / (1.0 + mean_extra);
    return static_cast<std::int64_t>(
        std::floor(std::log(std::max(uniform(), 1e-300)) / std::log1p(-p)));
  }
  bool chance(double p) { return uniform() < p; }
  std::size_t index(std::size_t n) {
    return std::min(n - 1, static_cast<std::size_t>(uniform() * n));
  }

 private:
  std::mt19937_64 engine_;
};

// Independent of the detector's prior shape: a slightly different office-hours curve.
constexpr std::array<double, 24> kGeneratorHours = {0.40, 0.25, 0.15, 0.10, 0.08, 0.12, 0.35, 0.80,
                                                    1.30, 1.60, 1.40, 1.25, 1.45, 1.35, 1.20, 1.15,
                                                    1.25, 1.40, 1.55, 1.45, 1.35, 1.20, 0.95, 0.65};

struct Mix {
  double hostile, thanks, question;  // neutral is the rest
  double new_anonymous;
};
constexpr Mix kBackgroundMix{0.04, 0.20, 0.25, 0.10};
constexpr Mix kAnnouncementMix{0.05, 0.25, 0.30, 0.10};
constexpr Mix kSurgeMix{0.05, 0.45, 0.35, 0.15};

struct Pulse {
  double start, rise, plateau, tau, peak;  // minutes, relative peak
};

double pulse_rate(const Pulse& p, double t) {
  const double u = t - p.start;
  if (u < 0.0) return 0.0;
  if (u < p.rise) return p.peak * u / p.rise;
  if (u < p.rise + p.plateau) return p.peak;
  return p.peak * std::exp(-(u - p.rise - p.plateau) / p.tau);
}

struct Component {
  std::int64_t first_minute = 0;
  std::int64_t last_minute = 0;
  double peak_per_minute = 0.0;
  std::vector<Pulse> pulses;
  Mix mix{};
  std::vector<std::int32_t> posts;  // targets; drawn uniformly
  double post_share = 1.0;          // else a plain mention
  double rate(std::int64_t minute) const {
    const double t = static_cast<double>(minute - first_minute) + 0.5;
    double r = 0.0;
    for (const Pulse& p : pulses) r += pulse_rate(p, t);
    return peak_per_minute * r;
  }
};

struct Announcement {
  std::int64_t minute;
  double replies;
  double tau;
  std::int32_t post;
};

}  // namespace

const char* to_string(Size s) {
  switch (s) {
    case Size::town:
      return "town";
    case Size::city:
      return "city";
    case Size::large:
      return "large";
    case Size::pref:
      return "pref";
  }
  return "?";
}

std::vector<ScenarioSpec> load_scenarios(const std::filesystem::path& path) {
  static const std::map<std::string, Size> sizes = {
      {"town", Size::town}, {"city", Size::city}, {"large", Size::large}, {"pref", Size::pref}};
  std::vector<ScenarioSpec> out;
  for (const auto& f : tsv_rows(path)) {
    if (f.size() != 5) throw std::runtime_error("scenarios.tsv: expected 5 columns");
    ScenarioSpec s;
    s.id = f[0];
    s.split = f[1];
    s.size = sizes.at(f[2]);
    s.seed = std::stoull(f[3]);
    if (f[4] != "-") {
      for (const auto& e : split(f[4], ';')) {
        const auto p = split(e, ',');
        if (p.size() != 7) throw std::runtime_error("scenarios.tsv: bad event " + e);
        Event ev;
        ev.kind = p[0] == "flame" ? Event::Kind::flame : Event::Kind::surge;
        ev.shape = p[1];
        ev.day = std::stoi(p[2]);
        ev.minute_of_day = std::stoi(p[3].substr(0, 2)) * 60 + std::stoi(p[3].substr(3, 2));
        ev.mult = std::stod(p[4]);
        ev.duration_min = std::stoi(p[5]);
        ev.hostile = std::stod(p[6]);
        ev.onset = kStart + ev.day * 86400LL + ev.minute_of_day * 60LL;
        s.events.push_back(ev);
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<CorpusEntry> load_corpus(const std::filesystem::path& path) {
  static const std::map<std::string, Tone> tones = {{"hostile", Tone::hostile},
                                                    {"thanks", Tone::thanks},
                                                    {"question", Tone::question},
                                                    {"neutral", Tone::neutral}};
  std::vector<CorpusEntry> out;
  for (const auto& f : tsv_rows(path)) {
    if (f.size() != 4) throw std::runtime_error("replies.tsv: expected 4 columns");
    out.push_back({f[1], tones.at(f[2]), classify_reply(f[3]).tone, f[3]});
  }
  return out;
}

Series generate(ScenarioSpec spec, const std::vector<CorpusEntry>& corpus) {
  Rng rng(spec.seed);
  Series series;
  // Texts of this split by label: the detector sees the lexicon's classification of the text.
  std::array<std::vector<Tone>, 4> pool;
  for (const auto& c : corpus) {
    if (c.split == spec.split) pool[static_cast<std::size_t>(c.label)].push_back(c.classified);
  }
  for (const auto& p : pool) {
    if (p.empty()) throw std::runtime_error("corpus lacks a label in split " + spec.split);
  }

  // --- the account ---
  double volume = 0.0;
  switch (spec.size) {
    case Size::town:
      volume = rng.log_uniform(10, 40);
      break;
    case Size::city:
      volume = rng.log_uniform(80, 300);
      break;
    case Size::large:
      volume = rng.log_uniform(400, 1500);
      break;
    case Size::pref:
      volume = rng.log_uniform(2000, 6000);
      break;
  }
  series.daily_volume = volume;
  std::array<double, 24> hours{};
  for (std::size_t h = 0; h < 24; ++h) hours[h] = kGeneratorHours[h] * rng.lognormal(0.0, 0.3);
  std::array<double, 1440> diurnal{};
  double sum = 0.0;
  for (int m = 0; m < 1440; ++m) {
    const double x = (m + 0.5) / 60.0 - 0.5;  // hour centres
    const int h0 = static_cast<int>(std::floor(x));
    const double w = x - h0;
    const double a = hours[static_cast<std::size_t>((h0 + 24) % 24)];
    const double b = hours[static_cast<std::size_t>((h0 + 25) % 24)];
    diurnal[static_cast<std::size_t>(m)] = a + (b - a) * w;
    sum += diurnal[static_cast<std::size_t>(m)];
  }
  for (double& d : diurnal) d *= 1440.0 / sum;
  const double weekend = rng.uniform(0.5, 1.0);
  std::array<double, 7> weekly{};
  sum = 0.0;
  for (std::size_t d = 0; d < 7; ++d) {
    weekly[d] = (d >= 5 ? weekend : 1.0) * rng.lognormal(0.0, 0.05);
    sum += weekly[d];
  }
  for (double& w : weekly) w *= 7.0 / sum;
  std::array<double, kDays> day_mult{};
  for (double& d : day_mult) d = rng.lognormal(0.0, 0.25);
  const double trend_end = rng.uniform(0.85, 1.25);
  const double cluster_mean = rng.uniform(1.2, 2.0);
  const double announcements_per_weekday = rng.uniform(1.0, 4.0);

  // --- the office's own posts and the replies they draw ---
  std::vector<Announcement> announcements;
  for (int d = 0; d < kDays; ++d) {
    const bool weekday = (d % 7) < 5;
    const auto n = rng.poisson(weekday ? announcements_per_weekday : 0.5);
    for (std::int64_t k = 0; k < n; ++k) {
      const double minute = rng.chance(0.85) ? rng.uniform(510, 1080) : rng.uniform(1140, 1260);
      Announcement a;
      a.minute = d * 1440LL + static_cast<std::int64_t>(minute);
      a.replies = volume * std::min(0.5, rng.lognormal(std::log(0.03), 0.9)) *
                  day_mult[static_cast<std::size_t>(d)];
      a.tau = rng.uniform(10, 60);
      a.post = static_cast<std::int32_t>(series.post_keys.size());
      series.post_keys.push_back("a" + std::to_string(a.post));
      announcements.push_back(a);
    }
  }
  std::sort(announcements.begin(), announcements.end(),
            [](const Announcement& x, const Announcement& y) { return x.minute < y.minute; });

  // --- labelled events ---
  std::vector<Component> events;
  for (Event& ev : spec.events) {
    Component c;
    c.first_minute = (ev.onset - kStart) / 60;
    c.peak_per_minute = ev.mult * volume / 1440.0;
    const double dur = ev.duration_min;
    if (ev.shape == "sudden" || ev.shape == "post") {
      c.pulses = {{0, rng.uniform(5, 20), dur, rng.uniform(60, 180), 1.0}};
    } else if (ev.shape == "spike") {
      c.pulses = {{0, 3, std::min(dur, 30.0), 30, 1.0}};
    } else if (ev.shape == "ramp") {
      c.pulses = {{0, rng.uniform(60, 180), dur, rng.uniform(60, 180), 1.0}};
    } else if (ev.shape == "waves") {
      c.pulses = {{0, 10, dur / 3, 60, 1.0},
                  {rng.uniform(180, 480), 10, dur / 3, 60, 0.7},
                  {rng.uniform(1200, 1800), 10, dur / 3, 60, 0.5}};
    } else if (ev.shape == "disaster") {
      c.pulses = {{0, rng.uniform(10, 30), dur, 120, 1.0}};
    } else {
      throw std::runtime_error("scenarios.tsv: unknown shape " + ev.shape);
    }
    double end = 0.0;
    for (const Pulse& p : c.pulses) end = std::max(end, p.start + p.rise + p.plateau + 3 * p.tau);
    c.last_minute = c.first_minute + static_cast<std::int64_t>(end + 2 * c.pulses.back().tau);
    ev.span_end = ev.onset + static_cast<std::int64_t>(end * 60) + 4 * 3600;
    if (ev.kind == Event::Kind::surge) {
      c.mix = kSurgeMix;
      for (int i = 0; i < 3; ++i) {
        c.posts.push_back(static_cast<std::int32_t>(series.post_keys.size()));
        series.post_keys.push_back("d" + std::to_string(series.post_keys.size()));
      }
      c.post_share = 0.9;
    } else {
      const double h = ev.hostile;
      c.mix = {h, (1 - h) * 0.1, (1 - h) * 0.4, 0.5};
      if (ev.shape == "post") {
        c.posts.push_back(static_cast<std::int32_t>(series.post_keys.size()));
        series.post_keys.push_back("old" + std::to_string(series.post_keys.size()));
        c.post_share = 0.9;
      } else {
        std::int32_t target = -1;
        for (const auto& a : announcements) {
          if (a.minute <= c.first_minute) target = a.post;
        }
        if (target < 0) {
          target = static_cast<std::int32_t>(series.post_keys.size());
          series.post_keys.push_back("f" + std::to_string(target));
        }
        c.posts.push_back(target);
        c.post_share = 0.7;
      }
    }
    events.push_back(std::move(c));
  }
  series.spec = spec;

  // --- minute by minute ---
  const auto draw = [&](const Mix& mix, std::int64_t minute, std::int32_t post,
                        std::vector<Reply>& out) {
    const double u = rng.uniform();
    Tone label = Tone::neutral;
    if (u < mix.hostile) {
      label = Tone::hostile;
    } else if (u < mix.hostile + mix.thanks) {
      label = Tone::thanks;
    } else if (u < mix.hostile + mix.thanks + mix.question) {
      label = Tone::question;
    }
    const auto& texts = pool[static_cast<std::size_t>(label)];
    Reply r;
    r.tone = texts[rng.index(texts.size())];
    r.new_or_anonymous = rng.chance(mix.new_anonymous);
    r.created_ms = (kStart + minute * 60) * 1000 + static_cast<std::int64_t>(rng.uniform() * 60000);
    r.post = post;
    out.push_back(r);
  };
  std::vector<Reply> minute_replies;
  std::size_t next_announcement = 0;
  std::vector<const Announcement*> recent;
  const double base = volume / 1440.0 * 0.88;
  for (std::int64_t m = 0; m < kDays * 1440LL; ++m) {
    minute_replies.clear();
    const auto day = static_cast<std::size_t>(m / 1440);
    while (next_announcement < announcements.size() &&
           announcements[next_announcement].minute <= m) {
      recent.push_back(&announcements[next_announcement++]);
      if (recent.size() > 5) recent.erase(recent.begin());
    }
    const double trend = 1.0 + (trend_end - 1.0) * static_cast<double>(m) / (kDays * 1440.0);
    const double rate = base * diurnal[static_cast<std::size_t>(m % 1440)] * weekly[day % 7] *
                        day_mult[day] * trend;
    const auto clusters = rng.poisson(rate / cluster_mean);
    for (std::int64_t c = 0; c < clusters; ++c) {
      const std::int64_t size = 1 + rng.geometric_extra(cluster_mean - 1.0);
      std::int32_t post = -1;
      if (!recent.empty() && rng.chance(0.8)) {
        post = rng.chance(0.75) ? recent.back()->post : recent[rng.index(recent.size())]->post;
      }
      for (std::int64_t k = 0; k < size; ++k) draw(kBackgroundMix, m, post, minute_replies);
    }
    for (const Announcement* a : recent) {
      const double t = static_cast<double>(m - a->minute);
      if (t < 1.0 || t > 6 * a->tau + 1) continue;
      const double expected = a->replies * (std::exp(-(t - 1) / a->tau) - std::exp(-t / a->tau));
      const auto n = rng.poisson(expected);
      for (std::int64_t k = 0; k < n; ++k) draw(kAnnouncementMix, m, a->post, minute_replies);
    }
    for (const Component& c : events) {
      if (m < c.first_minute || m > c.last_minute) continue;
      const auto n = rng.poisson(c.rate(m));
      for (std::int64_t k = 0; k < n; ++k) {
        std::int32_t post = -1;
        if (rng.chance(c.post_share)) post = c.posts[rng.index(c.posts.size())];
        draw(c.mix, m, post, minute_replies);
      }
    }
    std::sort(minute_replies.begin(), minute_replies.end(),
              [](const Reply& x, const Reply& y) { return x.created_ms < y.created_ms; });
    series.replies.insert(series.replies.end(), minute_replies.begin(), minute_replies.end());
  }
  return series;
}

}  // namespace mamori::detectors::flameup::eval
