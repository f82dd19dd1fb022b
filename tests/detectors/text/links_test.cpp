// Links in NFKC text (detectors/text/links.h) and the shared analysis that blanks them
// (detectors/text/normalized_text.h).
#include "detectors/text/links.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "detectors/text/normalize.h"
#include "detectors/text/normalized_text.h"

namespace mamori::detectors::text {
namespace {

std::vector<std::string> links_of(std::string_view utf8) {
  std::vector<std::string> out;
  for (const LinkSpan& l : find_links(utf8)) out.emplace_back(utf8.substr(l.begin, l.size()));
  return out;
}

TEST(Links, FindsSchemeAndBareDomainLinksButNotNumbersOrMail) {
  EXPECT_EQ(links_of("公式はこちら→https://bit.ly/3abc。詳細 wakaba-bokin.jp/x まで"),
            (std::vector<std::string>{"https://bit.ly/3abc", "wakaba-bokin.jp/x"}));
  EXPECT_EQ(links_of("見て http://example.com/a?b=1!"),
            (std::vector<std::string>{"http://example.com/a?b=1"}));
  EXPECT_TRUE(links_of("倍率は3.5倍、1.500人").empty());
  EXPECT_TRUE(links_of("連絡は info@wakaba.example.jp へ").empty());  // an e-mail, not a link
  EXPECT_TRUE(links_of("x.y").empty());                               // a one-letter ending
}

TEST(Links, SameSpansInBytesAndInCodePoints) {
  for (const char* t :
       {"市の窓口はこちら→ｗａｋａｂａ．ｊｐ／ｓｏｕｄａｎ　詳しくはhttps://x.example.jp/a",
        "給水所.jp給水所 bit.ly/x", "\xff\xfe bit.ly/abc \x80"}) {
    const std::string nfkc = nfkc_casefold(t);
    const std::u32string cps = to_u32(nfkc);
    const auto in_bytes = find_links(std::string_view(nfkc));
    const auto in_cps = find_links(std::u32string_view(cps));
    ASSERT_EQ(in_bytes.size(), in_cps.size()) << t;
    for (std::size_t i = 0; i < in_bytes.size(); ++i) {
      EXPECT_EQ(nfkc.substr(in_bytes[i].begin, in_bytes[i].size()),
                to_utf8(std::u32string_view(cps).substr(in_cps[i].begin, in_cps[i].size())))
          << t;
    }
  }
}

TEST(NormalizedText, AnalysesTheTextWithItsLinksBlanked) {
  const NormalizedText normalized("市長を許さない https://Example.com/path 明日行く");
  ASSERT_EQ(normalized.links().size(), 1u);
  const LinkSpan link = normalized.links().front();
  EXPECT_EQ(normalized.nfkc().substr(link.begin, link.size()), "https://example.com/path");
  ASSERT_FALSE(normalized.morphemes().empty());
  for (const Morpheme& m : normalized.morphemes()) {
    EXPECT_TRUE(m.end <= link.begin || m.begin >= link.end)
        << normalized.nfkc().substr(m.begin, m.end - m.begin);
  }
  // The same morphemes as analysing the blanked text directly.
  std::string blanked = normalized.nfkc();
  blanked.replace(link.begin, link.size(), link.size(), ' ');
  const auto own = Morphology::shared().analyze(blanked);
  ASSERT_EQ(own.size(), normalized.morphemes().size());
  for (std::size_t i = 0; i < own.size(); ++i) {
    EXPECT_EQ(own[i].begin, normalized.morphemes()[i].begin);
    EXPECT_EQ(own[i].end, normalized.morphemes()[i].end);
    EXPECT_EQ(own[i].base, normalized.morphemes()[i].base);
  }
}

}  // namespace
}  // namespace mamori::detectors::text
