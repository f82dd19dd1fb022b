// libFuzzer target: the `mamorictl spikes` CSV parser, and spikes() on whatever it accepts.
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "detectors/flameup/spikes.h"
#include "model/time_text.h"

namespace fu = mamori::detectors::flameup;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = fu::parse_spikes_csv(text, mamori::model::kJstOffset);
  if (!parsed.ok()) {
    if (parsed.error->line == 0 || parsed.error->message.empty()) std::abort();
    return 0;
  }
  const auto& d = parsed.data;
  if (d.samples.size() != d.timestamp_texts.size() || d.samples.size() != d.value_texts.size()) {
    std::abort();
  }
  for (std::size_t i = 1; i < d.samples.size(); ++i) {
    if (!(d.samples[i - 1].time < d.samples[i].time)) std::abort();  // strictly increasing
  }
  if (d.samples.size() > 2000) return 0;  // keep each run short; parsing was the point
  const auto scored = fu::spikes(d.samples, fu::Settings{});
  if (scored.size() != d.samples.size()) std::abort();
  for (const auto& s : scored) {
    if (!(s.score >= 0.0 && s.score <= 1.0)) std::abort();
    if (s.alert && !s.episode) std::abort();  // an alert row opens an episode
  }
  return 0;
}
