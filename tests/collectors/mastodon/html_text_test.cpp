#include "collectors/mastodon/html_text.h"

#include <gtest/gtest.h>

#include <string>

namespace mamori::collectors::mastodon {
namespace {

TEST(HtmlText, ParagraphsAndBreaksBecomeLines) {
  EXPECT_EQ(html_to_text("<p>一行目<br>二行目<br/>三行目<br />四行目</p><p>次の段落</p>").text,
            "一行目\n二行目\n三行目\n四行目\n\n次の段落");
  EXPECT_EQ(html_to_text("<p>a</p>\n<p>b</p>").text, "a\n\nb");
  EXPECT_EQ(html_to_text("<p>a<br><br>b</p>").text, "a\n\nb");
}

TEST(HtmlText, SourceWhitespaceCollapses) {
  EXPECT_EQ(html_to_text("  a \n\t b  ").text, "a b");
  EXPECT_EQ(html_to_text("<p> a </p><p> b </p>").text, "a\n\nb");
  EXPECT_EQ(html_to_text("a <br> b").text, "a\nb");
}

TEST(HtmlText, CharacterReferencesAreDecodedSafely) {
  EXPECT_EQ(html_to_text("&lt;script&gt; &amp; &quot;x&quot; &#39;y&#39; &apos;").text,
            "<script> & \"x\" 'y' '");
  EXPECT_EQ(html_to_text("&#12354;&#x3042;&#X3044;").text, "ああい");
  EXPECT_EQ(html_to_text("a&nbsp;b").text,
            "a\xC2\xA0"
            "b");
  // NUL, surrogates, out-of-range and control characters never come out as themselves.
  EXPECT_EQ(html_to_text("&#0;&#xD800;&#1114112;&#99999999999999;&#27;&#x85;").text,
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  // Not references: kept as written.
  EXPECT_EQ(html_to_text("AT&T &unknown; &#; &#x; & ;").text, "AT&T &unknown; &#; &#x; & ;");
}

TEST(HtmlText, MarkupThatIsNotATagIsText) {
  EXPECT_EQ(html_to_text("1 < 2 and 3 <= 4, <3").text, "1 < 2 and 3 <= 4, <3");
  EXPECT_EQ(html_to_text("a<!-- hidden -->b<!doctype html>c").text, "abc");
  EXPECT_EQ(html_to_text("a<!-- never closed").text, "a");
  // A tag that never closes swallows the rest, as a browser would.
  EXPECT_EQ(html_to_text("safe <a href=\"x").text, "safe");
  EXPECT_EQ(html_to_text("safe <span class=x").text, "safe");
}

TEST(HtmlText, ScriptsAndStylesAreDropped) {
  EXPECT_EQ(html_to_text("a<script>alert('<b>x</b>')</script>b<STYLE>p{}</Style>c").text, "abc");
  EXPECT_EQ(html_to_text("a<script>never closed").text, "a");
}

TEST(HtmlText, LinksExcludeMentionsHashtagsAndOtherSchemes) {
  const auto r = html_to_text(
      "<p><a href=\"https://example.jp/a?x=1&amp;y=2\" rel=\"nofollow noopener\">"
      "<span class=\"invisible\">https://</span><span class=\"ellipsis\">example.jp/a?x</span>"
      "<span class=\"invisible\">=1&amp;y=2</span></a> "
      "<span class=\"h-card\"><a href=\"https://m.example/@u\" class=\"u-url "
      "mention\">@<span>u</span></a></span> "
      "<a href=\"https://m.example/tags/x\" class=\"mention hashtag\" "
      "rel=\"tag\">#<span>x</span></a> "
      "<a href=\"javascript:alert(1)\">js</a> <a href='HTTP://EXAMPLE.JP/b'>b</a> "
      "<a href=https://example.jp/a?x=1&y=2>dup</a></p>");
  ASSERT_EQ(r.links.size(), 2u);
  EXPECT_EQ(r.links[0], "https://example.jp/a?x=1&y=2");
  EXPECT_EQ(r.links[1], "HTTP://EXAMPLE.JP/b");
  EXPECT_EQ(r.text, "https://example.jp/a?x=1&y=2 @u #x js b dup");
}

TEST(HtmlText, RawControlCharactersAreReplaced) {
  EXPECT_EQ(html_to_text(std::string("<a href=\"https://e.jp/\0x\">l</a>", 31)).links.at(0),
            "https://e.jp/\xEF\xBF\xBDx");
  EXPECT_EQ(html_to_text(std::string("a\0b\x1b"
                                     "c\x7f",
                                     6))
                .text,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD"
            "c\xEF\xBF\xBD");
  EXPECT_EQ(html_to_text("x\xC2\x85y\xC2\xA0z").text, "x\xEF\xBF\xBDy\xC2\xA0z");
}

TEST(HtmlText, EmptyAndPlainInputs) {
  EXPECT_EQ(html_to_text("").text, "");
  EXPECT_TRUE(html_to_text("").links.empty());
  EXPECT_EQ(html_to_text("相馬市").text, "相馬市");
  EXPECT_EQ(html_to_text("<p></p><br>").text, "");
}

}  // namespace
}  // namespace mamori::collectors::mastodon
