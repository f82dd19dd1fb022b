#include "detectors/impersonation/lookalike_handles.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <utility>

#include "detectors/impersonation/handle_key.h"
#include "detectors/text/normalize.h"
#include "model/text.h"

namespace mamori::detectors::impersonation {
namespace {

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

bool valid_label(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
    return false;
  }
  return std::all_of(label.begin(), label.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::string lower_ascii(std::string_view s) {
  return model::ascii_lower(s);
}

// QWERTY neighbours (dnstwist's keyboard map, lower case and digits).
std::string_view adjacent_keys(char c) {
  switch (c) {
    case '1':
      return "2q";
    case '2':
      return "3wq1";
    case '3':
      return "4ew2";
    case '4':
      return "5re3";
    case '5':
      return "6tr4";
    case '6':
      return "7yt5";
    case '7':
      return "8uy6";
    case '8':
      return "9iu7";
    case '9':
      return "0oi8";
    case '0':
      return "po9";
    case 'q':
      return "12wa";
    case 'w':
      return "3esaq2";
    case 'e':
      return "4rdsw3";
    case 'r':
      return "5tfde4";
    case 't':
      return "6ygfr5";
    case 'y':
      return "7uhgt6";
    case 'u':
      return "8ijhy7";
    case 'i':
      return "9okju8";
    case 'o':
      return "0plki9";
    case 'p':
      return "lo0";
    case 'a':
      return "qwsz";
    case 's':
      return "edxzaw";
    case 'd':
      return "rfcxse";
    case 'f':
      return "tgvcdr";
    case 'g':
      return "yhbvft";
    case 'h':
      return "ujnbgy";
    case 'j':
      return "ikmnhu";
    case 'k':
      return "olmji";
    case 'l':
      return "kop";
    case 'z':
      return "asx";
    case 'x':
      return "zsdc";
    case 'c':
      return "xdfv";
    case 'v':
      return "cfgb";
    case 'b':
      return "vghn";
    case 'n':
      return "bhjm";
    case 'm':
      return "njk";
    default:
      return "";
  }
}

// Look-alike substitutions (issue 4: 0/o, 1/l/I, rn/m, vv/w, cl/d ...). Upper-case I is left
// out: handles are matched case-insensitively, so it would be the same account.
constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kGlyphs = {{
    {"o", "0"},
    {"0", "o"},
    {"l", "1"},
    {"1", "l"},
    {"i", "1"},
    {"i", "l"},
    {"l", "i"},
    {"m", "rn"},
    {"rn", "m"},
    {"w", "vv"},
    {"vv", "w"},
    {"d", "cl"},
    {"cl", "d"},
    {"m", "nn"},
    {"e", "3"},
    {"s", "5"},
}};

constexpr std::array<std::string_view, 8> kSuffixes = {"official", "jp",     "pr",    "koho",
                                                       "info",     "kouhou", "staff", "city"};
constexpr std::array<std::string_view, 3> kPrefixes = {"official", "real", "the"};
constexpr std::array<std::string_view, 5> kDigits = {"1", "2", "0", "01", "2024"};

struct Split {
  std::string prefix;  // kept before the varied stem (Mastodon: none)
  std::string stem;    // the part varied
  std::string suffix;  // kept after it: ".bsky.social", "@instance"
};

Split split_handle(model::Platform platform, std::string_view handle) {
  while (!handle.empty() && handle.front() == '@') handle.remove_prefix(1);
  Split s;
  const std::string h = lower_ascii(handle);
  switch (platform) {
    case model::Platform::bluesky: {
      const auto dot = h.find('.');
      s.stem = h.substr(0, dot);
      if (dot != std::string::npos) s.suffix = h.substr(dot);
      break;
    }
    case model::Platform::mastodon: {
      const auto at = h.find('@');
      s.stem = h.substr(0, at);
      if (at != std::string::npos) s.suffix = h.substr(at);
      break;
    }
    case model::Platform::x:
    case model::Platform::facebook:
    case model::Platform::instagram:
    case model::Platform::youtube:
      s.stem = h;
      break;
  }
  return s;
}

using Variants = std::vector<std::string>;

Variants separator_variants(const std::string& stem, char sep) {
  Variants out;
  std::string without;
  for (char c : stem) {
    if (c != '_' && c != '-') without.push_back(c);
  }
  if (without != stem) out.push_back(without);  // somacity
  for (std::size_t i = 0; i < stem.size(); ++i) {
    if (stem[i] == '_' || stem[i] == '-') {
      out.push_back(stem.substr(0, i) + std::string(1, stem[i]) + stem.substr(i));  // doubled
      if (sep != stem[i]) out.push_back(stem.substr(0, i) + sep + stem.substr(i + 1));
    }
  }
  for (std::size_t i = 1; i < stem.size(); ++i) {
    if (is_word_char(stem[i - 1]) && stem[i - 1] != '_' && stem[i] != '_' && stem[i] != '-' &&
        stem[i - 1] != '-') {
      out.push_back(stem.substr(0, i) + sep + stem.substr(i));
    }
  }
  return out;
}

Variants homoglyph_variants(const std::string& stem) {
  Variants out;
  for (const auto& [from, to] : kGlyphs) {
    for (auto pos = stem.find(from); pos != std::string::npos; pos = stem.find(from, pos + 1)) {
      out.push_back(stem.substr(0, pos) + std::string(to) + stem.substr(pos + from.size()));
    }
  }
  return out;
}

Variants affix_variants(const std::string& stem, char sep) {
  Variants out;
  for (auto s : kSuffixes) {
    out.push_back(stem + sep + std::string(s));
    out.push_back(stem + std::string(s));
  }
  for (auto p : kPrefixes) out.push_back(std::string(p) + sep + stem);
  for (auto d : kDigits) {
    out.push_back(stem + std::string(d));
    out.push_back(stem + sep + std::string(d));
  }
  return out;
}

Variants omission_variants(const std::string& stem) {
  Variants out;
  for (std::size_t i = 0; i < stem.size(); ++i)
    out.push_back(stem.substr(0, i) + stem.substr(i + 1));
  return out;
}

Variants repetition_variants(const std::string& stem) {
  Variants out;
  for (std::size_t i = 0; i < stem.size(); ++i) {
    if (stem[i] != '_' && stem[i] != '-') out.push_back(stem.substr(0, i + 1) + stem.substr(i));
  }
  return out;
}

Variants transposition_variants(const std::string& stem) {
  Variants out;
  for (std::size_t i = 0; i + 1 < stem.size(); ++i) {
    if (stem[i] == stem[i + 1]) continue;
    std::string v = stem;
    std::swap(v[i], v[i + 1]);
    out.push_back(v);
  }
  return out;
}

Variants replacement_variants(const std::string& stem) {
  Variants out;
  for (std::size_t i = 0; i < stem.size(); ++i) {
    for (char k : adjacent_keys(stem[i])) {
      std::string v = stem;
      v[i] = k;
      out.push_back(v);
    }
  }
  return out;
}

Variants insertion_variants(const std::string& stem) {
  Variants out;
  for (std::size_t i = 0; i < stem.size(); ++i) {
    for (char k : adjacent_keys(stem[i])) {
      out.push_back(stem.substr(0, i + 1) + k + stem.substr(i + 1));
      out.push_back(stem.substr(0, i) + k + stem.substr(i));
    }
  }
  return out;
}

}  // namespace

std::string_view to_string(LookalikeKind kind) {
  switch (kind) {
    case LookalikeKind::separator:
      return "separator";
    case LookalikeKind::homoglyph:
      return "homoglyph";
    case LookalikeKind::affix:
      return "affix";
    case LookalikeKind::omission:
      return "omission";
    case LookalikeKind::repetition:
      return "repetition";
    case LookalikeKind::transposition:
      return "transposition";
    case LookalikeKind::replacement:
      return "replacement";
    case LookalikeKind::insertion:
      return "insertion";
  }
  return "unknown";
}

bool valid_handle(model::Platform platform, std::string_view handle) {
  switch (platform) {
    case model::Platform::x:
      return !handle.empty() && handle.size() <= 15 &&
             std::all_of(handle.begin(), handle.end(), is_word_char);
    case model::Platform::mastodon: {
      const std::string_view local = handle.substr(0, handle.find('@'));
      return !local.empty() && local.size() <= 30 &&
             std::all_of(local.begin(), local.end(), is_word_char);
    }
    case model::Platform::bluesky: {
      if (handle.size() > 253 || handle.find('.') == std::string_view::npos) return false;
      std::size_t start = 0;
      while (true) {
        const auto dot = handle.find('.', start);
        if (!valid_label(handle.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
          return false;
        }
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
      }
    }
    case model::Platform::facebook:
      // Page usernames: at least 5 characters, letters, digits and periods.
      return handle.size() >= 5 && handle.size() <= 50 &&
             std::all_of(handle.begin(), handle.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.';
             });
    case model::Platform::instagram:
      // Usernames: up to 30 letters, digits, underscores and periods.
      return !handle.empty() && handle.size() <= 30 &&
             std::all_of(handle.begin(), handle.end(),
                         [](char c) { return is_word_char(c) || c == '.'; });
    case model::Platform::youtube:
      // Handles (without '@'): 3-30 letters, digits, underscores, hyphens and periods.
      return handle.size() >= 3 && handle.size() <= 30 &&
             std::all_of(handle.begin(), handle.end(),
                         [](char c) { return is_word_char(c) || c == '-' || c == '.'; });
  }
  return false;
}

std::vector<LookalikeHandle> generate_lookalike_handles(model::Platform platform,
                                                        std::string_view official,
                                                        std::size_t max_count) {
  std::vector<LookalikeHandle> out;
  if (max_count == 0) return out;
  const Split split = split_handle(platform, official);
  if (split.stem.empty()) return out;
  const char sep = platform == model::Platform::bluesky ? '-' : '_';
  const std::string& s = split.stem;
  const std::array<std::pair<LookalikeKind, Variants>, 8> lists = {{
      {LookalikeKind::separator, separator_variants(s, sep)},
      {LookalikeKind::homoglyph, homoglyph_variants(s)},
      {LookalikeKind::affix, affix_variants(s, sep)},
      {LookalikeKind::omission, omission_variants(s)},
      {LookalikeKind::repetition, repetition_variants(s)},
      {LookalikeKind::transposition, transposition_variants(s)},
      {LookalikeKind::replacement, replacement_variants(s)},
      {LookalikeKind::insertion, insertion_variants(s)},
  }};
  std::set<std::string> seen = {split.prefix + s + split.suffix};
  // Round-robin over the kinds so truncation keeps variety.
  std::array<std::size_t, lists.size()> next{};
  bool progress = true;
  while (out.size() < max_count && progress) {
    progress = false;
    for (std::size_t k = 0; k < lists.size() && out.size() < max_count; ++k) {
      const auto& [kind, variants] = lists[k];
      while (next[k] < variants.size()) {
        std::string candidate = split.prefix + variants[next[k]++] + split.suffix;
        if (candidate.size() > kMaxHandleBytes) continue;
        if (!valid_handle(platform, candidate) || !seen.insert(candidate).second) continue;
        out.push_back({std::move(candidate), kind});
        progress = true;
        break;
      }
    }
  }
  return out;
}

std::vector<std::string> search_queries(const MunicipalityNames& names,
                                        const std::vector<std::string>& official_handles,
                                        std::size_t max_count) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](std::string q) {
    if (out.size() >= max_count) return;
    const auto trim = [](std::string& t) {
      while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.pop_back();
      while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.erase(0, 1);
    };
    trim(q);
    if (q.empty() || q.size() > 100) return;
    if (seen.insert(text::nfkc_casefold(q)).second) out.push_back(std::move(q));
  };
  auto katakana = [](std::string_view hiragana) {
    std::u32string cps = text::to_u32(hiragana);
    for (char32_t& c : cps) {
      if (c >= 0x3041 && c <= 0x3096) c += 0x60;
    }
    return text::to_utf8(cps);
  };
  // 相馬市 -> 相馬: users often write the name without the administrative suffix.
  auto without_suffix = [](const std::string& name) {
    std::u32string cps = text::to_u32(name);
    if (cps.size() >= 3 && (cps.back() == U'市' || cps.back() == U'町' || cps.back() == U'村' ||
                            cps.back() == U'区')) {
      cps.pop_back();
      return text::to_utf8(cps);
    }
    return std::string();
  };
  add(names.name);
  add(without_suffix(names.name));
  add(names.name_kana);
  add(katakana(names.name_kana));
  add(names.name_romaji);
  {
    std::string romaji = lower_ascii(names.name_romaji);
    for (std::string_view word : {" city", " town", " village", " ward", "-shi", " shi"}) {
      if (romaji.size() > word.size() &&
          romaji.compare(romaji.size() - word.size(), word.size(), word) == 0) {
        add(romaji.substr(0, romaji.size() - word.size()));
      }
    }
  }
  for (const auto& v : names.variants) add(v);
  for (const auto& h : official_handles) {
    std::string stem = std::string(
        handle_stem(model::Platform::bluesky, handle_stem(model::Platform::mastodon, h)));
    add(stem);
  }
  return out;
}

}  // namespace mamori::detectors::impersonation
