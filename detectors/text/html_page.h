// Pages of a city's own web site (notices, the official account list) as text: the body decoded
// from the charset the server or the page names (Shift_JIS and EUC-JP are still common on
// municipal sites), scripts, styles, comments and tags removed, character references decoded.
// Untrusted input of any size and shape: never throws, never reads past the input.
#pragma once

#include <string>
#include <string_view>

namespace mamori::detectors::text {

// The charset named by the Content-Type header, else by a <meta charset> / http-equiv in the
// first 4 KiB of the body; lower-case ("shift_jis"), "" when none is named.
std::string page_charset(std::string_view body, std::string_view content_type);

// `body` converted from `charset` to UTF-8 with ICU. An unknown charset leaves the bytes as they
// are (a later comparison then simply finds nothing).
std::string page_to_utf8(std::string_view body, const std::string& charset);

// Numeric (&#26085; &#x65E5;) and the common named references (&amp; &lt; &gt; &quot; &apos;
// &nbsp;) decoded; anything else, and invalid code points as U+FFFD, kept readable.
std::string decode_html_entities(std::string_view s);

// The visible text of an HTML (or plain-text) page as UTF-8 (see above).
std::string page_text(std::string_view body, std::string_view content_type);

}  // namespace mamori::detectors::text
