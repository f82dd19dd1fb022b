// YouTube paging through the fake platform over loopback: a comment thread carries only five of
// its replies, the rest are read with comments.list parentId= page by page (and only again when
// the thread's reply count changes); commentThreads pages by pageToken, and a token handed back
// for the very page it came with, or one that is refused, never loops.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "collectors/youtube/youtube_collector.h"
#include "tests/collectors/fake_platform_rig.h"
#include "tests/collectors/parse_test_support.h"

namespace mamori::collectors::youtube {
namespace {

using mamori::testing::all_of;

std::string scenario() {
  std::string s = R"(
[youtube]
api_key = "AIza-test"
page_size = 3

[[account]]
platform = "youtube"
handle = "soma_city"
id = "UCsomacity0000000000000A"
display_name = "相馬市公式チャンネル"

[[account]]
platform = "youtube"
handle = "jumin1"
id = "UCjumin10000000000000000"

[[post]]
platform = "youtube"
key = "video"
id = "dQw4w9WgXcQ"
author = "soma_city"
text = "【台風10号】避難所の開設状況"

[[post]]
platform = "youtube"
key = "top"
id = "Ugtop"
author = "jumin1"
in_reply_to = "video"
text = "ダムが決壊したって本当？"
)";
  for (int i = 1; i <= 8; ++i) {
    s += "\n[[post]]\nplatform = \"youtube\"\nid = \"Ugtop.r" + std::to_string(i) +
         "\"\nauthor = \"jumin1\"\nin_reply_to = \"top\"\ntext = \"返信" + std::to_string(i) +
         "\"\n";
  }
  for (int i = 1; i <= 4; ++i) {
    s += "\n[[post]]\nplatform = \"youtube\"\nid = \"Ugother" + std::to_string(i) +
         "\"\nauthor = \"jumin1\"\nin_reply_to = \"video\"\ntext = \"別のコメント" +
         std::to_string(i) + "\"\n";
  }
  return s;
}

using Rig = mamori::testing::FakePlatformRig<YoutubeCollector>;

Rig make_rig() {
  return Rig(scenario(), [](const std::string& base) {
    YoutubeCollectorOptions o;
    o.api_base = base + "/youtube/v3";
    o.api_key = "AIza-test";
    return o;
  });
}

const AccountRef kChannel{"soma_city", "UCsomacity0000000000000A"};

TEST(YoutubePaging, RepliesBeyondThoseInlinedAreReadWithCommentsListOnlyWhenTheyChange) {
  auto rig = make_rig();
  rig.collector->thread(kChannel, "dQw4w9WgXcQ", {}, rig.keep());
  const Page page = rig.wait();
  EXPECT_TRUE(all_of<model::ObservationError>(page.result).empty());
  const auto posts = all_of<model::Post>(page.result);
  // Page 1 of the threads (3 a page, newest first): Ugother4, Ugother3, Ugother2; Ugtop is on a
  // later page. So read on with the token until Ugtop's thread comes.
  ASSERT_TRUE(page.result.next_cursor.has_value());
  EXPECT_EQ(posts.size(), 3u);
  EXPECT_TRUE(rig.served("comments.list").empty());

  Page with_top;
  std::optional<std::string> token = page.result.next_cursor;
  while (token) {
    rig.collector->thread(kChannel, "dQw4w9WgXcQ", {std::nullopt, token}, rig.keep());
    Page next = rig.wait();
    token = next.result.next_cursor;
    for (const auto& p : all_of<model::Post>(next.result)) {
      if (p.post_id == "Ugtop") with_top = next;
    }
  }
  const auto thread = all_of<model::Post>(with_top.result);
  int replies = 0;
  for (const auto& p : thread) {
    if (p.in_reply_to_post_id == "Ugtop") {
      ++replies;
      EXPECT_EQ(p.conversation_root_id, "dQw4w9WgXcQ");
    }
  }
  EXPECT_EQ(replies, 8);  // 5 inlined + 3 more from comments.list, each once
  EXPECT_EQ(rig.served("comments.list").size(), 3u);  // 8 replies, 3 a page
  EXPECT_TRUE(all_of<model::ObservationError>(with_top.result).empty());

  // Same count next time: no comments.list. A new reply: read again.
  rig.collector->thread(kChannel, "dQw4w9WgXcQ", {std::nullopt, page.result.next_cursor},
                        rig.keep());
  rig.wait();
  rig.collector->thread(kChannel, "dQw4w9WgXcQ", {std::nullopt, page.result.next_cursor},
                        rig.keep());
  rig.wait();
  EXPECT_TRUE(rig.served("comments.list").empty());
  rig.control("posts", {{"platform", "youtube"},
                        {"author", "jumin1"},
                        {"in_reply_to", "Ugtop"},
                        {"id", "Ugtop.r9"},
                        {"text", "デマです。市の発表を見てください"}});
  rig.collector->thread(kChannel, "dQw4w9WgXcQ", {std::nullopt, page.result.next_cursor},
                        rig.keep());
  const auto more = all_of<model::Post>(rig.wait().result);
  EXPECT_EQ(rig.served("comments.list").size(), 3u);  // 9 replies, 3 a page
  EXPECT_TRUE(std::any_of(more.begin(), more.end(),
                          [](const model::Post& p) { return p.post_id == "Ugtop.r9"; }));
}

TEST(YoutubePaging, ARepliesTokenThatRepeatsOrIsRefusedEndsTheWalkWithAnError) {
  auto rig = make_rig();
  rig.control("faults", {{"platform", "youtube"},
                         {"endpoint", "comments.list"},
                         {"kind", "repeat_cursor"},
                         {"count", 100}});
  // Read the whole channel's threads (mentions) page by page until Ugtop's thread.
  std::optional<std::string> token;
  Page with_top;
  int pages = 0;
  do {
    rig.collector->replies_and_mentions(kChannel, {std::nullopt, token}, rig.keep());
    Page next = rig.wait();
    token = next.result.next_cursor;
    for (const auto& p : all_of<model::Post>(next.result)) {
      if (p.post_id == "Ugtop") with_top = next;
    }
  } while (token && ++pages < 10);
  EXPECT_LT(pages, 10);
  const auto errors = all_of<model::ObservationError>(with_top.result);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("cursor already followed"), std::string::npos)
      << errors[0].message;
  EXPECT_EQ(rig.served("comments.list").size(), 2u);  // the first page, the same page once more
}

TEST(YoutubePaging, ACommentThreadsTokenHandedBackForTheSamePageIsDropped) {
  auto rig = make_rig();
  rig.collector->replies_and_mentions(kChannel, {}, rig.keep());
  const Page first = rig.wait();
  ASSERT_TRUE(first.result.next_cursor.has_value());
  rig.control("faults", {{"platform", "youtube"},
                         {"endpoint", "commentThreads.list"},
                         {"kind", "repeat_cursor"},
                         {"count", 1}});
  rig.collector->replies_and_mentions(kChannel, {std::nullopt, first.result.next_cursor},
                                      rig.keep());
  const Page repeated = rig.wait();
  EXPECT_FALSE(repeated.result.next_cursor.has_value());
  const auto errors = all_of<model::ObservationError>(repeated.result);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("cursor of this very page"), std::string::npos);

  // A token the API does not know: 400 invalidPageToken, an error observation.
  rig.control("faults", {{"platform", "youtube"},
                         {"endpoint", "commentThreads.list"},
                         {"kind", "bad_cursor"},
                         {"count", 1}});
  rig.collector->replies_and_mentions(kChannel, {}, rig.keep());
  const Page bad = rig.wait();
  ASSERT_TRUE(bad.result.next_cursor.has_value());
  rig.collector->replies_and_mentions(kChannel, {std::nullopt, bad.result.next_cursor}, rig.keep());
  const Page refused = rig.wait();
  EXPECT_EQ(refused.result.outcome, ParseOutcome::platform_error);
  const auto refusal = all_of<model::ObservationError>(refused.result);
  ASSERT_EQ(refusal.size(), 1u);
  EXPECT_NE(refusal[0].message.find("invalidPageToken"), std::string::npos) << refusal[0].message;
}

}  // namespace
}  // namespace mamori::collectors::youtube
