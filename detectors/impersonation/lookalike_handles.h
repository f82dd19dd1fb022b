// Candidate discovery inputs (issue 4 "Candidate discovery"): look-alike handles of an official
// handle, generated in the manner of dnstwist's fuzzers, and account-search queries derived from
// the municipality's names. Pure; the daemon batches the look-ups within its rate budget.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "model/platform.h"

namespace mamori::detectors::impersonation {

enum class LookalikeKind {
  separator,      // soma__city, somacity, soma_cit_y
  homoglyph,      // s0ma_city, soma_c1ty, sorna_city
  affix,          // soma_city_official, official_soma_city, soma_city2
  omission,       // sma_city
  repetition,     // somma_city
  transposition,  // smoa_city
  replacement,    // soma_cuty (adjacent key)
  insertion,      // soma_ciuty (adjacent key)
};

std::string_view to_string(LookalikeKind kind);

struct LookalikeHandle {
  std::string handle;
  LookalikeKind kind = LookalikeKind::separator;
};

// True if `handle` is valid on the platform: X [A-Za-z0-9_]{1,15}; Mastodon local part
// [A-Za-z0-9_]{1,30} (an "@instance" suffix is allowed); Bluesky a domain name of labels
// [a-z0-9-]{1,63} not starting or ending with '-', at least two labels, at most 253 bytes.
bool valid_handle(model::Platform platform, std::string_view handle);

// Look-alikes of `official` within the platform's handle syntax, lower-cased, without the
// official handle itself, deduplicated, at most `max_count`. The kinds are interleaved so a
// small `max_count` still covers every kind, most likely first. Bluesky handles keep their
// domain suffix (soma-city.bsky.social -> s0ma-city.bsky.social); Mastodon ones their @instance.
std::vector<LookalikeHandle> generate_lookalike_handles(model::Platform platform,
                                                        std::string_view official,
                                                        std::size_t max_count);

// The municipality's names as configured (daemon/config Municipality).
struct MunicipalityNames {
  std::string name;         // 相馬市
  std::string name_kana;    // そうまし
  std::string name_romaji;  // Soma City
  std::string homepage_url;
  std::vector<std::string> variants;  // further spellings staff want searched
  std::vector<std::string> neighbours;  // different entities that look close: 南相馬市, minamisoma
};

// Account-search queries: the name in kanji and without its 市/町/村/区 suffix, kana (hiragana
// and katakana), romaji with and without "city", configured variants, and the stems of the
// official handles. Deduplicated by their NFKC-casefold form, at most `max_count`.
std::vector<std::string> search_queries(const MunicipalityNames& names,
                                        const std::vector<std::string>& official_handles,
                                        std::size_t max_count = 16);

}  // namespace mamori::detectors::impersonation
