#include "detectors/integrity/url_scan.h"

#include <gtest/gtest.h>

namespace mamori::detectors::integrity {
namespace {

TEST(UrlScan, ExtractsUrlsFromJapaneseTextWithoutTrailingPunctuation) {
  const auto urls = extract_urls(
      "詳しくはhttps://www.city.soma.fukushima.jp/a/b.html。または（http://bit.ly/"
      "3abc）をご覧ください");
  ASSERT_EQ(urls.size(), 2u);
  EXPECT_EQ(urls[0], "https://www.city.soma.fukushima.jp/a/b.html");
  EXPECT_EQ(urls[1], "http://bit.ly/3abc");
  EXPECT_TRUE(extract_urls("no links here http:// https://").empty());
  EXPECT_EQ(extract_urls("HTTPS://Example.com/x.").at(0), "HTTPS://Example.com/x");
}

TEST(UrlScan, HostIgnoresUserinfoPortCaseAndTrailingDot) {
  EXPECT_EQ(url_host("https://user:pw@WWW.City.Example.JP.:8443/path?q"), "www.city.example.jp");
  EXPECT_EQ(url_host("bit.ly/abc"), "bit.ly");
  EXPECT_EQ(url_host("http://[::1]:80/"), "::1");
  EXPECT_EQ(url_host(""), "");
  EXPECT_EQ(bare_host("www.city.example.jp"), "city.example.jp");
}

TEST(UrlScan, KnowsShortenersButNotXsOwnWrapperOrLookalikes) {
  EXPECT_TRUE(is_shortener_host("bit.ly"));
  EXPECT_TRUE(is_shortener_host("www.tinyurl.com"));
  EXPECT_TRUE(is_shortener_host("forms.gle"));
  EXPECT_FALSE(is_shortener_host("t.co"));
  EXPECT_FALSE(is_shortener_host("notbit.ly"));
  EXPECT_FALSE(is_shortener_host("www.city.soma.fukushima.jp"));
}

TEST(UrlScan, ShortenedUrlsFromEntitiesAndTextDeduplicated) {
  const auto s = shortened_urls({"https://bit.ly/x", "https://www.city.soma.fukushima.jp/"},
                                "見てね https://bit.ly/x と https://is.gd/y");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], "https://bit.ly/x");
  EXPECT_EQ(s[1], "https://is.gd/y");
}

}  // namespace
}  // namespace mamori::detectors::integrity
