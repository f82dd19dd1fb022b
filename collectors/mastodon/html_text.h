// Mastodon sends status `content`, account `note` and profile field values as HTML. Detectors
// and staff need plain text, and the HTML is untrusted (remote servers sanitise it their own way),
// so this is a small, total converter rather than an HTML renderer: it never fails, never
// recurses, and produces valid UTF-8 from valid UTF-8.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mamori::collectors::mastodon {

struct HtmlText {
  std::string text;
  // href of each <a> that is a link (http/https), in order, without duplicates. Mentions
  // (class "mention") and hashtags (class "hashtag" or rel "tag") are not links.
  std::vector<std::string> links;
};

// Tags are dropped; <br> becomes a line break and paragraphs (<p>, <blockquote>) a blank line;
// the contents of <script>, <style> and similar are dropped; character references (&amp;,
// &#12354;, &#x3042;) are decoded, with NUL, controls, surrogates and out-of-range values
// becoming U+FFFD; runs of source whitespace collapse to one space. A '<' that does not start a
// tag is kept as text.
HtmlText html_to_text(std::string_view html);

}  // namespace mamori::collectors::mastodon
