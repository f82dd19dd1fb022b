#include "detectors/integrity/compliance.h"

#include <gtest/gtest.h>

namespace mamori::detectors::integrity {
namespace {

const AuditItem& find(const std::vector<AuditItem>& items, std::string_view id) {
  for (const auto& i : items) {
    if (i.id == id) return i;
  }
  throw std::runtime_error("no item " + std::string(id));
}

AuditInput compliant() {
  AuditInput in;
  in.platform = model::Platform::x;
  in.handle = "soma_city";
  in.department = "秘書広報課";
  in.administrators = {"佐藤", "鈴木"};
  in.two_factor = true;
  model::ProfileSnapshot p;
  p.handle = "soma_city";
  p.description =
      "相馬市の公式アカウントです。運用：秘書広報課 https://www.city.soma.fukushima.jp/sns/";
  p.url = "https://www.city.soma.fukushima.jp/sns/list.html";
  in.profile = p;
  model::Post post;
  post.post_id = "1";
  post.text = "詳細は https://www.city.soma.fukushima.jp/event/1.html";
  in.recent_posts.push_back(post);
  in.homepage_url = "https://www.city.soma.fukushima.jp/";
  in.list_page_url = "https://www.city.soma.fukushima.jp/sns/list.html";
  in.list_page = ListPage{
      in.list_page_url,
      "<html><body><ul><li><a href=\"https://x.com/soma_city\">相馬市（X）</a></li>"
      "<li><a "
      "href='https://bsky.app/profile/soma-city.bsky.social'>Bluesky</a></li></ul></body></html>",
      ""};
  return in;
}

TEST(Compliance, CompliantAccountPassesEveryItemAndCitesClauses) {
  const auto items = audit(compliant());
  ASSERT_EQ(items.size(), 7u);
  for (const auto& i : items) {
    EXPECT_EQ(i.status, ItemStatus::pass) << i.id << ": " << i.detail;
    EXPECT_NE(i.clause.find(".txt"), std::string::npos) << i.id;
    EXPECT_FALSE(i.title.empty());
  }
}

TEST(Compliance, NonCompliantAccountFailsEachItemWithAReason) {
  auto in = compliant();
  in.department = "";
  in.administrators = {"佐藤"};
  in.two_factor = false;
  in.profile->description = "お得な情報を発信します";
  in.profile->url = "https://bit.ly/soma";
  in.recent_posts[0].text = "詳細は https://tinyurl.com/abc";
  in.list_page->body =
      "<html><body><a href=\"https://x.com/other_city\">他市</a> @soma_city2</body></html>";
  const auto items = audit(in);
  for (const auto& i : items) {
    EXPECT_EQ(i.status, ItemStatus::fail) << i.id << ": " << i.detail;
    EXPECT_FALSE(i.detail.empty());
  }
  EXPECT_NE(find(items, "no_url_shorteners").detail.find("tinyurl.com/abc"), std::string::npos);
  EXPECT_NE(find(items, "no_url_shorteners").detail.find("プロフィール"), std::string::npos);
  EXPECT_NE(find(items, "two_administrators").detail.find("1名"), std::string::npos);
}

TEST(Compliance, MissingInputsAreUnknownNotFail) {
  auto in = compliant();
  in.profile.reset();
  in.recent_posts.clear();
  in.list_page = ListPage{in.list_page_url, std::nullopt, "timeout"};
  const auto items = audit(in);
  for (auto id : {"profile_homepage_url", "profile_department", "no_url_shorteners",
                  "homepage_lists_account", "account_links_back"}) {
    EXPECT_EQ(find(items, id).status, ItemStatus::unknown) << id;
  }
  EXPECT_NE(find(items, "homepage_lists_account").detail.find("timeout"), std::string::npos);
  in.list_page_url.clear();
  EXPECT_NE(find(audit(in), "homepage_lists_account").detail.find("official_account_list_url"),
            std::string::npos);
}

TEST(Compliance, ThreeAdministratorsIsAgainstTheTwoPersonRule) {
  auto in = compliant();
  in.administrators = {"a", "b", "c"};
  EXPECT_EQ(find(audit(in), "two_administrators").status, ItemStatus::fail);
}

TEST(Compliance, RepostsOfOthersDoNotCountAsOwnShorteners) {
  auto in = compliant();
  model::Post rp;
  rp.post_id = "2";
  rp.text = "RT https://bit.ly/x";
  rp.reposted_post_id = "9";
  in.recent_posts.push_back(rp);
  EXPECT_EQ(find(audit(in), "no_url_shorteners").status, ItemStatus::pass);
}

TEST(HtmlDigest, LinksAndTextFromMessyHtml) {
  const auto d = digest_html(
      "<A HREF=\"https://x.com/Soma_City?ref=1\">X</a><!-- <a href='https://evil'> -->"
      "<script>var s = '<a href=\"https://bsky.app/profile/fake\">';</script>"
      "<p>Mastodon: @soma_city&#64;mastodon.example &amp; more</p><a href=unquoted.html>u</a><a "
      "href>");
  ASSERT_EQ(d.links.size(), 2u);
  EXPECT_EQ(d.links[0], "https://x.com/Soma_City?ref=1");
  EXPECT_EQ(d.links[1], "unquoted.html");
  EXPECT_NE(d.text.find("@soma_city@mastodon.example & more"), std::string::npos);
  EXPECT_EQ(d.text.find("var s"), std::string::npos);
}

TEST(HtmlDigest, PageNamesAccountByProfileLinkOrHandle) {
  const auto d = digest_html(
      "<a href='https://twitter.com/soma_city'>x</a><a "
      "href='https://mastodon.example/@soma_city'>m</a>"
      "<p>Bluesky: @soma-city.bsky.social</p>");
  EXPECT_TRUE(page_names_account(d, model::Platform::x, "SOMA_CITY"));
  EXPECT_TRUE(
      page_names_account(d, model::Platform::mastodon, "soma_city", "https://mastodon.example"));
  EXPECT_FALSE(
      page_names_account(d, model::Platform::mastodon, "soma_city", "https://other.example"));
  EXPECT_TRUE(page_names_account(d, model::Platform::bluesky, "soma-city.bsky.social"));
  EXPECT_FALSE(page_names_account(d, model::Platform::bluesky, "soma-city.bsky"));
  EXPECT_FALSE(page_names_account(d, model::Platform::x, "soma"));
  EXPECT_FALSE(page_names_account(digest_html(""), model::Platform::x, ""));
}

TEST(HtmlDigest, TruncatedAndBinaryInputDoesNotCrash) {
  const std::string junk =
      std::string("<a href=\"x", 10) + std::string("\0\xff<<&#x110000;&#99999999999;<a", 32);
  const auto d = digest_html(junk);
  EXPECT_TRUE(d.links.empty() || !d.links[0].empty());
  EXPECT_NO_THROW(digest_html("<script>never closed"));
}

}  // namespace
}  // namespace mamori::detectors::integrity
