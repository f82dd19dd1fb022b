// Reading a hand-typed subject as a platform account or post (subject_ref.h).
#include "daemon/incidents/subject_ref.h"

#include <gtest/gtest.h>

namespace mamori::incidents {
namespace {

using model::Platform;

constexpr std::string_view kInstance = "https://mastodon.example/";

TEST(SubjectRef, ProfileAndPostUrlsOnTheThreePlatforms) {
  auto r = resolve_subject("https://x.com/soma__city", std::nullopt, kInstance);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->platform, Platform::x);
  EXPECT_EQ(r->handle, "soma__city");
  EXPECT_EQ(r->post_id, "");

  r = resolve_subject("https://twitter.com/Soma_City/status/1234567890?s=20", std::nullopt, "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->handle, "Soma_City");
  EXPECT_EQ(r->post_id, "1234567890");

  r = resolve_subject("https://bsky.app/profile/soma-city.bsky.social/post/3kabc2xyz", std::nullopt,
                      "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->platform, Platform::bluesky);
  EXPECT_EQ(r->handle, "soma-city.bsky.social");
  EXPECT_EQ(r->post_id, "3kabc2xyz");

  // The configured instance: a local acct; another server: user@host.
  r = resolve_subject("https://mastodon.example/@jiro/110000000000000001", std::nullopt, kInstance);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->platform, Platform::mastodon);
  EXPECT_EQ(r->handle, "jiro");
  EXPECT_EQ(r->post_id, "110000000000000001");
  r = resolve_subject("https://other.example/@jiro", Platform::mastodon, kInstance);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->handle, "jiro@other.example");
  // Another server without the platform chosen: not known to be Mastodon.
  EXPECT_FALSE(resolve_subject("https://other.example/@jiro", std::nullopt, kInstance));
}

TEST(SubjectRef, HandlesNeedThePlatform) {
  EXPECT_FALSE(resolve_subject("@soma__city", std::nullopt, kInstance));
  auto r = resolve_subject("@soma__city", Platform::x, kInstance);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->handle, "soma__city");
  r = resolve_subject("@jiro@mastodon.example", Platform::mastodon, kInstance);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->handle, "jiro");
  r = resolve_subject("@Soma-City.bsky.social", Platform::bluesky, kInstance);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->handle, "soma-city.bsky.social");
  // Not handles: a phone call's caller, words.
  EXPECT_FALSE(resolve_subject("市民からの電話（080-xxxx）", Platform::x, kInstance));
  EXPECT_FALSE(resolve_subject("a handle far too long for x", Platform::x, kInstance));
}

TEST(SubjectRef, PagesThatAreNotAccountsAndOtherPlatformsHosts) {
  // x.com's own pages name the platform, no account.
  auto r = resolve_subject("https://x.com/search?q=soma", std::nullopt, "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->handle, "");
  r = resolve_subject("https://x.com/i/flow/login", std::nullopt, "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->handle, "");
  // A URL on another platform than the one chosen does not resolve.
  EXPECT_FALSE(resolve_subject("https://x.com/soma__city", Platform::bluesky, kInstance));
  // Not a platform at all.
  EXPECT_FALSE(resolve_subject("https://www.city.soma.example.jp/news/1", std::nullopt, kInstance));
  EXPECT_FALSE(resolve_subject("javascript:alert(1)", Platform::x, kInstance));
}

TEST(SubjectRef, IncidentSubjectsOpenedByHandOnly) {
  auto r = resolve_manual_subject("manual:https://x.com/soma__city", "", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->handle, "soma__city");
  r = resolve_manual_subject("manual:@jiro", "mastodon", kInstance);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->handle, "jiro");
  EXPECT_EQ(describe(*r), "@jiro（Mastodon）");
  EXPECT_FALSE(resolve_manual_subject("x:1234567", "x", ""));
}

}  // namespace
}  // namespace mamori::incidents
