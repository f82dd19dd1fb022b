// The platforms mamori watches, and the clock type every observation and finding uses.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace mamori::model {

enum class Platform { x, bluesky, mastodon, facebook, instagram, youtube };
inline constexpr Platform kAllPlatforms[] = {Platform::x,         Platform::bluesky,
                                             Platform::mastodon,  Platform::facebook,
                                             Platform::instagram, Platform::youtube};

constexpr std::string_view to_string(Platform p) {
  switch (p) {
    case Platform::x:
      return "x";
    case Platform::bluesky:
      return "bluesky";
    case Platform::mastodon:
      return "mastodon";
    case Platform::facebook:
      return "facebook";
    case Platform::instagram:
      return "instagram";
    case Platform::youtube:
      return "youtube";
  }
  return "unknown";
}

// The platform's name as staff read it: "X", "Bluesky", "Mastodon".
constexpr std::string_view display_name(Platform p) {
  switch (p) {
    case Platform::x:
      return "X";
    case Platform::bluesky:
      return "Bluesky";
    case Platform::mastodon:
      return "Mastodon";
    case Platform::facebook:
      return "Facebook";
    case Platform::instagram:
      return "Instagram";
    case Platform::youtube:
      return "YouTube";
  }
  return "";
}

constexpr std::optional<Platform> platform_from_string(std::string_view s) {
  if (s == "x" || s == "twitter") return Platform::x;
  if (s == "bluesky" || s == "bsky") return Platform::bluesky;
  if (s == "mastodon") return Platform::mastodon;
  if (s == "facebook") return Platform::facebook;
  if (s == "instagram") return Platform::instagram;
  if (s == "youtube") return Platform::youtube;
  return std::nullopt;
}

// All times are UTC with millisecond resolution; detectors receive `now` explicitly.
using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

}  // namespace mamori::model
