// Look-alike handle generation and search queries for candidate discovery.
#include "detectors/impersonation/lookalike_handles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "detectors/impersonation/handle_key.h"

namespace mamori::detectors::impersonation {
namespace {

using model::Platform;

bool contains(const std::vector<LookalikeHandle>& v, std::string_view h) {
  return std::any_of(v.begin(), v.end(), [&](const auto& l) { return l.handle == h; });
}

TEST(LookalikeHandles, XCoversEveryKindWithinSyntax) {
  const auto v = generate_lookalike_handles(Platform::x, "soma_city", 2000);
  std::set<LookalikeKind> kinds;
  std::set<std::string> seen;
  for (const auto& l : v) {
    kinds.insert(l.kind);
    EXPECT_TRUE(valid_handle(Platform::x, l.handle)) << l.handle;
    EXPECT_TRUE(seen.insert(l.handle).second) << "duplicate " << l.handle;
    EXPECT_NE(l.handle, "soma_city");
  }
  EXPECT_EQ(kinds.size(), 8U);
  for (const char* h :
       {"soma__city", "somacity", "s0ma_city", "soma_c1ty", "sorna_city", "real_soma_city",
        "the_soma_city", "soma_city_jp", "soma_city_pr", "soma_city_koho", "soma_city_info",
        "soma_city1", "sma_city", "somma_city", "smoa_city", "soma_cuty"}) {
    EXPECT_TRUE(contains(v, h)) << h;
  }
  EXPECT_FALSE(contains(v, "soma-city"));           // '-' is not allowed on X
  EXPECT_FALSE(contains(v, "soma_city_official"));  // 18 characters, X allows 15
}

TEST(LookalikeHandles, CountIsBoundedAndKindsInterleave) {
  const auto v = generate_lookalike_handles(Platform::x, "soma_city", 16);
  EXPECT_EQ(v.size(), 16U);
  std::set<LookalikeKind> kinds;
  for (const auto& l : v) kinds.insert(l.kind);
  EXPECT_EQ(kinds.size(), 8U);
  EXPECT_TRUE(generate_lookalike_handles(Platform::x, "soma_city", 0).empty());
  EXPECT_TRUE(generate_lookalike_handles(Platform::x, "", 10).empty());
}

TEST(LookalikeHandles, XLengthLimitDropsLongVariants) {
  const auto v = generate_lookalike_handles(Platform::x, "kagoshima_city", 2000);
  for (const auto& l : v) EXPECT_LE(l.handle.size(), 15U) << l.handle;
  EXPECT_FALSE(contains(v, "kagoshima_city_official"));
}

TEST(LookalikeHandles, BlueskyKeepsTheDomainAndUsesHyphens) {
  const auto v = generate_lookalike_handles(Platform::bluesky, "soma-city.bsky.social", 2000);
  ASSERT_FALSE(v.empty());
  for (const auto& l : v) {
    EXPECT_TRUE(valid_handle(Platform::bluesky, l.handle)) << l.handle;
    EXPECT_TRUE(l.handle.ends_with(".bsky.social")) << l.handle;
  }
  EXPECT_TRUE(contains(v, "somacity.bsky.social"));
  EXPECT_TRUE(contains(v, "soma--city.bsky.social") || contains(v, "s0ma-city.bsky.social"));
  EXPECT_FALSE(valid_handle(Platform::bluesky, "-soma.bsky.social"));
  EXPECT_FALSE(valid_handle(Platform::bluesky, "soma_city.bsky.social"));
}

TEST(LookalikeHandles, MastodonKeepsTheInstanceAndAllowsThirtyCharacters) {
  const auto v = generate_lookalike_handles(Platform::mastodon, "soma_city@mstdn.jp", 2000);
  for (const auto& l : v) {
    EXPECT_TRUE(l.handle.ends_with("@mstdn.jp")) << l.handle;
    EXPECT_TRUE(valid_handle(Platform::mastodon, l.handle)) << l.handle;
  }
  EXPECT_TRUE(contains(v, "soma_city_official@mstdn.jp"));
}

TEST(LookalikeHandles, GeneratedVariantsAreSeenAsSimilarByTheComparator) {
  HandleSkeleton skeletons;
  const HandleKey official = skeletons.key(Platform::x, "soma_city");
  for (const auto& l : generate_lookalike_handles(Platform::x, "soma_city", 400)) {
    const auto m = compare_handles(skeletons.key(Platform::x, l.handle), official);
    EXPECT_NE(m.relation, HandleRelation::unrelated) << l.handle << " " << to_string(l.kind);
  }
}

TEST(SearchQueries, DerivesNameVariants) {
  MunicipalityNames names;
  names.name = "相馬市";
  names.name_kana = "そうまし";
  names.name_romaji = "Soma City";
  names.variants = {"相馬", "そうま市"};
  const auto q = search_queries(names, {"soma_city", "soma-city.bsky.social", "SOMA_CITY"});
  const std::vector<std::string> expected = {"相馬市",   "相馬",      "そうまし",
                                             "ソウマシ", "Soma City", "soma",
                                             "そうま市", "soma_city", "soma-city"};
  EXPECT_EQ(q, expected);
  EXPECT_EQ(search_queries(names, {}, 3).size(), 3U);
}

}  // namespace
}  // namespace mamori::detectors::impersonation
