// Small text helpers for the fake platform server.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/text.h"
#include "model/time_text.h"
#include "tests/fakeplatform/world.h"

namespace mamori::fakeplatform {

// Query parameters in order; a name may repeat (Bluesky's actors=a&actors=b).
class Query {
 public:
  explicit Query(std::string_view query);
  std::optional<std::string> get(std::string_view name) const;
  std::vector<std::string> all(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

std::string url_decode(std::string_view s);
std::string url_encode(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);

bool contains_folded(std::string_view haystack, std::string_view needle);
std::string html_escape(std::string_view s);
std::string base64url(std::string_view bytes);
std::uint64_t fnv1a(std::string_view s, std::uint64_t seed = 0);
std::string base32_sortable(std::uint64_t v, int chars);     // TID alphabet
std::string base32_lower(std::string_view seed, int chars);  // a-z2-7 from a hash
// Numeric-string ids compare as numbers (X snowflakes, Mastodon ids).
bool id_less(std::string_view a, std::string_view b);
std::size_t utf8_length(std::string_view s);  // code points

// A generated PNG avatar: the same seed gives the same image; `tweak` changes that many pixels.
std::string generate_avatar_png(const std::string& seed, int tweak);
// gzip-compresses `data`; empty on failure.
std::string gzip(std::string_view data);

}  // namespace mamori::fakeplatform

namespace mamori::fakeplatform {
// Applies a delivery fault (slow, stall, truncated, ...) that World::apply_fault returned as a
// marker (status -1, kind in body) to the reply the endpoint produced.
void apply_delivery_fault(const Reply& marker, Reply& reply);
}  // namespace mamori::fakeplatform
