// How long a drafted post or report is, as each platform counts it. The counts never come out
// lower than the platform's own (they may come out higher for rare scripts or emoji sequences),
// so "fits" here means it fits there.
//   X:        weighted length, max 280: code points in U+0000-10FF, U+2000-200D, U+2010-201F and
//             U+2032-2037 weigh 1, all others (kana, kanji, full-width forms, emoji) weigh 2;
//             every http(s) URL weighs 23 (t.co). (twitter-text v3 configuration.)
//   Bluesky:  300 graphemes per post (app.bsky.feed.post); the app's report box takes 300.
//   Mastodon: 500 characters per post, a URL counts 23 and a remote mention @user@domain counts
//             as @user; a report comment takes 1000 characters.
#pragma once

#include <cstddef>
#include <string_view>

#include "playbooks/engine/playbook.h"

namespace mamori::playbooks {

std::size_t x_weighted_length(std::string_view text);
std::size_t grapheme_count(std::string_view text);
std::size_t codepoint_count(std::string_view text);
std::size_t mastodon_post_length(std::string_view text);

struct LengthMeasure {
  LengthLimit limit = LengthLimit::x_post;
  std::size_t count = 0;
  std::size_t max = 0;
  bool fits() const { return count <= max; }
};

LengthMeasure measure(LengthLimit limit, std::string_view text);

}  // namespace mamori::playbooks
