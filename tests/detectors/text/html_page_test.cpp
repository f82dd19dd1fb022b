// City web pages as text: charsets, scripts and markup, character references.
#include "detectors/text/html_page.h"

#include <gtest/gtest.h>
#include <unicode/ucnv.h>

#include <string>

namespace mamori::detectors::text {
namespace {

std::string convert(const std::string& utf8, const char* to) {
  UErrorCode status = U_ZERO_ERROR;
  std::string out(utf8.size() * 2 + 16, '\0');
  const int32_t n = ucnv_convert(to, "UTF-8", out.data(), static_cast<int32_t>(out.size()),
                                 utf8.data(), static_cast<int32_t>(utf8.size()), &status);
  EXPECT_FALSE(U_FAILURE(status)) << u_errorName(status);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

TEST(PageText, DecodesCharsetDropsScriptsAndMarkup) {
  const std::string html =
      "<html><head><meta charset=\"Shift_JIS\"><script>var s='成りすまし';</script>"
      "<style>p{}</style></head><body><p>成り<b>すまし</b>&amp;詐欺&#x306B;ご注意</p>"
      "<!-- 成りすまし --></body></html>";
  const std::string body = convert(html, "Shift_JIS");
  ASSERT_NE(body, html);
  EXPECT_EQ(page_charset(body, "text/html"), "shift_jis");
  const std::string text = page_text(body, "text/html");
  EXPECT_NE(text.find("&詐欺にご注意"), std::string::npos) << text;
  EXPECT_EQ(text.find("var s"), std::string::npos) << text;
  EXPECT_EQ(text.find("<b>"), std::string::npos) << text;
  // EUC-JP named in the header.
  const std::string notice = "成りすましアカウントにご注意ください";
  EXPECT_EQ(page_text(convert(notice, "EUC-JP"), "text/html; charset=EUC-JP"), notice);
  // The header wins over the page's own <meta>.
  EXPECT_EQ(page_charset("<meta charset=\"euc-jp\">", "text/html; charset=\"UTF-8\""), "utf-8");
}

TEST(PageText, UnknownCharsetsAndBrokenMarkupNeitherThrowNorInvent) {
  EXPECT_EQ(page_to_utf8("\xff\xfe", "no-such-charset"), "\xff\xfe");
  EXPECT_EQ(page_text("<p>未完のタグ<a href=", "text/html"), " 未完のタグ");
  EXPECT_EQ(page_text("<script>ずっと続く", "text/html"), " ");
  EXPECT_EQ(page_text("", ""), "");
}

TEST(HtmlEntities, NumericNamedAndInvalidReferences) {
  EXPECT_EQ(decode_html_entities("&#26085;&#x672C;&amp;&lt;&gt;&quot;&apos;&nbsp;"), "日本&<>\"' ");
  // Not references, or not ones we know: kept as written.
  EXPECT_EQ(decode_html_entities("A&B &copy; &#; &#xZZ; &"), "A&B &copy; &#; &#xZZ; &");
  // Code points that cannot be text become U+FFFD; one past Unicode is left alone.
  EXPECT_EQ(decode_html_entities("&#0;&#xD800;"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(decode_html_entities("&#x110000;"), "&#x110000;");
}

TEST(HtmlEntities, AReferenceEndsWithinTwelveCharacters) {
  EXPECT_EQ(decode_html_entities("&#x0000065E5;"), "日");  // 12 characters between & and ;
  EXPECT_EQ(decode_html_entities("&#x00000065E5;"), "&#x00000065E5;");  // 13: not a reference
}

// A hostile page: 16 MiB of '&' with no ';' until the very end. Each '&' may only look a few
// characters ahead for its ';' (searching to the end of the page for every '&' is about 10^14
// steps: this test would then run into ctest's timeout). The text is kept as written.
TEST(PageText, AmpersandsWithoutSemicolonsCostLinearTime) {
  const std::size_t n = 16u << 20;
  std::string page(n, '&');
  page += "amp;";
  const std::string text = page_text(page, "text/html; charset=utf-8");
  ASSERT_EQ(text.size(), n);
  EXPECT_EQ(text.find_first_not_of('&'), std::string::npos);
  const std::string decoded = decode_html_entities(page);
  EXPECT_EQ(decoded.size(), n);
}

}  // namespace
}  // namespace mamori::detectors::text
