#include "collectors/common/text_links.h"

#include <gtest/gtest.h>

#include "collectors/common/graph_api.h"

namespace mamori::collectors {
namespace {

using Links = std::vector<std::string>;

TEST(TextLinks, JapaneseTextAroundLinks) {
  EXPECT_EQ(links_in_text("詳しくはhttps://www.city.soma.example.jp/bousai/をご覧ください。"),
            (Links{"https://www.city.soma.example.jp/bousai/"}));
  EXPECT_EQ(links_in_text("避難所一覧（https://example.jp/a?b=c）と URL:http://example.jp/x."),
            (Links{"https://example.jp/a?b=c", "http://example.jp/x"}));
  EXPECT_EQ(links_in_text("(see https://example.jp/p), https://example.jp/p again"),
            (Links{"https://example.jp/p"}));
}

TEST(TextLinks, NotLinks) {
  EXPECT_TRUE(links_in_text("xhttps://example.jp https:/broken http:// https://").empty());
  EXPECT_TRUE(links_in_text("").empty());
}

TEST(GraphPaging, NextQueriesLoseTheirCredentials) {
  EXPECT_EQ(
      graph::query_without_credentials(
          "https://graph.facebook.com/v10.0/4/posts?access_token=EAAB&pretty=0&until=1624385168"
          "&appsecret_proof=abc&__paging_token=t#frag"),
      "pretty=0&until=1624385168&__paging_token=t");
  EXPECT_EQ(graph::query_without_credentials("https://graph.facebook.com/v10.0/4/posts"), "");
  EXPECT_EQ(graph::query_without_credentials("?access_token=x"), "");
}

}  // namespace
}  // namespace mamori::collectors
