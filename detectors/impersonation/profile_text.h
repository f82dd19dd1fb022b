// Profile text and URL similarity (issue 4): character trigrams of the description compared by
// the Dice coefficient, and the official homepage URL looked for in the candidate's website
// field and description (a copied homepage URL is a strong sign, soma-city.txt 3(3)).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::detectors::impersonation {

// Description text looked at; Mastodon allows 500 characters, more is not a profile.
inline constexpr std::size_t kMaxDescriptionCodePoints = 600;

// Sorted, unique hashed character trigrams of a text in match_key form.
struct TextGrams {
  std::vector<std::uint32_t> grams;
};

TextGrams make_text_grams(std::string_view text);

// The description key (match_key form, at most kMaxDescriptionCodePoints) of a text.
std::u32string description_key(std::string_view text);

// Grams of a key in which U+0000 separates runs that were left out: no gram spans a separator.
TextGrams make_key_grams(std::u32string_view key);

// Dice coefficient of the two gram sets, 0 when either has too few grams to mean anything.
double gram_similarity(const TextGrams& a, const TextGrams& b);

// "https://WWW.City.Soma.Fukushima.JP/index.html?x#y" -> "city.soma.fukushima.jp".
// Lower-cased host without "www.", path kept without a trailing slash or index.html; query and
// fragment dropped. Empty if the text has no host.
std::string normalize_url(std::string_view url);

// The host part of a normalized URL ("city.soma.fukushima.jp/kurashi" -> "city.soma.fukushima.jp").
std::string_view url_host(std::string_view normalized);

enum class UrlRelation { none, same_host, same_url };

// Compares a candidate's website field and description with the official homepage URL
// (normalized). A same_url in the website field is the strongest sign.
struct UrlMatch {
  UrlRelation website = UrlRelation::none;
  UrlRelation description = UrlRelation::none;
};

UrlMatch compare_urls(std::string_view candidate_website_normalized,
                      std::string_view candidate_description, std::string_view official_normalized);

}  // namespace mamori::detectors::impersonation
