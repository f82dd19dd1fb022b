// Instagram Graph API paging through the fake platform over loopback: a media's comments over
// several pages in one thread() call up to the page bound, a repeated cursor ending the walk,
// and /tags (media others tagged the account in).
#include <gtest/gtest.h>

#include <string>

#include "collectors/instagram/instagram_collector.h"
#include "tests/collectors/fake_platform_rig.h"
#include "tests/collectors/parse_test_support.h"

namespace mamori::collectors::instagram {
namespace {

using mamori::testing::all_of;

std::string scenario() {
  std::string s = R"(
[instagram]
access_token = "IGQ-test"
page_size = 2

[[account]]
platform = "instagram"
handle = "soma_city_official"
id = "17841400000000001"

[[account]]
platform = "instagram"
handle = "resident_hanako"
id = "17841400000000002"

[[post]]
platform = "instagram"
key = "media"
id = "17900000000000001"
author = "soma_city_official"
text = "相馬野馬追のお知らせ"

[[post]]
platform = "instagram"
id = "17900000000000002"
author = "resident_hanako"
text = "今年も行きました @soma_city_official"
)";
  for (int i = 1; i <= 5; ++i) {
    s += "\n[[post]]\nplatform = \"instagram\"\nid = \"1800000000000000" + std::to_string(i) +
         "\"\nauthor = \"resident_hanako\"\nin_reply_to = \"media\"\ntext = \"コメント" +
         std::to_string(i) + "\"\n";
  }
  return s;
}

using Rig = mamori::testing::FakePlatformRig<InstagramCollector>;

Rig make_rig(int max_pages = 5) {
  return Rig(scenario(), [max_pages](const std::string& base) {
    InstagramCollectorOptions o;
    o.graph_base = base + "/v21.0";
    o.access_token = "IGQ-test";
    o.ig_user_id = "17841400000000001";
    o.max_comment_pages = max_pages;
    return o;
  });
}

const AccountRef kAccount{"soma_city_official", "17841400000000001"};

TEST(InstagramPaging, CommentsOverSeveralPagesComeInOneCallWithinTheBound) {
  auto rig = make_rig();
  rig.collector->thread(kAccount, "17900000000000001", {}, rig.keep());
  const Page page = rig.wait();
  EXPECT_EQ(all_of<model::Post>(page.result).size(), 5u);
  EXPECT_TRUE(all_of<model::ObservationError>(page.result).empty());
  EXPECT_EQ(rig.served("/{ig-media-id}/comments").size(), 3u);

  auto bounded = make_rig(2);
  bounded.collector->thread(kAccount, "17900000000000001", {}, bounded.keep());
  const Page cut = bounded.wait();
  EXPECT_EQ(all_of<model::Post>(cut.result).size(), 4u);
  EXPECT_TRUE(cut.result.next_cursor.has_value());
  EXPECT_EQ(bounded.served("/{ig-media-id}/comments").size(), 2u);
}

TEST(InstagramPaging, ARepeatedCursorEndsTheWalk) {
  auto rig = make_rig();
  rig.control("faults", {{"platform", "instagram"},
                         {"endpoint", "/{ig-media-id}/comments"},
                         {"kind", "repeat_cursor"},
                         {"count", 100}});
  rig.collector->thread(kAccount, "17900000000000001", {}, rig.keep());
  const Page page = rig.wait();
  EXPECT_EQ(all_of<model::Post>(page.result).size(), 2u);
  ASSERT_EQ(all_of<model::ObservationError>(page.result).size(), 1u);
  EXPECT_EQ(rig.served("/{ig-media-id}/comments").size(), 2u);
}

TEST(InstagramPaging, MediaTheAccountIsTaggedIn) {
  auto rig = make_rig();
  rig.collector->replies_and_mentions(kAccount, {}, rig.keep());
  const auto tagged = all_of<model::Post>(rig.wait().result);
  ASSERT_EQ(tagged.size(), 1u);
  EXPECT_EQ(tagged[0].post_id, "17900000000000002");
  EXPECT_EQ(tagged[0].author_handle, "resident_hanako");
}

}  // namespace
}  // namespace mamori::collectors::instagram
