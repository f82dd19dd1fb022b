// Fuzzes the text side of the impersonation detector: NFKC/kana normalization, uspoof skeletons,
// handle and display-name keys and comparison, trigrams, URL handling, look-alike generation and
// a whole assessment. Input lines: handle, other handle, name, other name, description, URL.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/impersonation/detector.h"
#include "detectors/text/normalize.h"

namespace imp = mamori::detectors::impersonation;
using mamori::model::Platform;

namespace {

const imp::ImpersonationDetector& detector() {
  static const imp::ImpersonationDetector d = [] {
    imp::MunicipalityNames names;
    names.name = "相馬市";
    names.name_kana = "そうまし";
    names.name_romaji = "Soma City";
    names.homepage_url = "https://www.city.soma.fukushima.jp/";
    names.neighbours = {"南相馬市", "minamisoma"};
    imp::OfficialAccount main;
    main.profile.handle = "soma_city";
    main.profile.display_name = "相馬市";
    main.profile.description = "相馬市の公式アカウントです。";
    main.profile.url = "https://www.city.soma.fukushima.jp/";
    return imp::ImpersonationDetector(names, {main}, {{Platform::x, "soma_bousai", ""}});
  }();
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> f;
  std::size_t start = 0;
  while (f.size() < 6) {
    const auto nl = input.find('\n', start);
    f.push_back(
        input.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  while (f.size() < 6) f.emplace_back();

  (void)mamori::detectors::text::match_key(input);
  const auto& d = detector();
  const Platform platforms[] = {Platform::x, Platform::bluesky, Platform::mastodon};
  const Platform p = platforms[size % 3];
  const auto a = d.skeletons().key(p, f[0]);
  const auto b = d.skeletons().key(p, f[1]);
  const auto hm = imp::compare_handles(a, b);
  if (hm.similarity < 0.0 || hm.similarity > 1.0) __builtin_trap();
  const auto na = imp::make_name_key(f[2], d.skeletons());
  const auto nb = imp::make_name_key(f[3], d.skeletons());
  const auto nm = imp::compare_names(na, nb);
  if (nm.similarity < 0.0 || nm.similarity > 1.0) __builtin_trap();
  // Comparison is symmetric in what it calls equal.
  if ((imp::compare_names(na, nb).relation == imp::NameRelation::equal) !=
      (imp::compare_names(nb, na).relation == imp::NameRelation::equal)) {
    __builtin_trap();
  }
  (void)imp::gram_similarity(imp::make_text_grams(f[4]), imp::make_text_grams(f[2]));
  (void)imp::compare_urls(imp::normalize_url(f[5]), f[4], imp::normalize_url(f[1]));
  (void)imp::text_disclaims_official(f[4]);
  for (const auto& l : imp::generate_lookalike_handles(p, f[0].substr(0, 64), 40)) {
    if (!imp::valid_handle(p, l.handle)) __builtin_trap();
  }

  mamori::model::ProfileSnapshot c;
  c.platform = p;
  c.handle = std::string(f[0]);
  c.display_name = std::string(f[2]);
  c.description = std::string(f[4]);
  c.url = std::string(f[5]);
  const auto assessment = d.assess(c, nullptr, mamori::model::TimePoint{});
  if (assessment.score < 0.0 || assessment.score > 1.0) __builtin_trap();
  return 0;
}
