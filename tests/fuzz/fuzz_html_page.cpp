// City web pages (the homepage_contains check's notice pages, the compliance audit's account
// list page) are outside data: any bytes, any claimed charset. The text extraction must not
// crash, hang or read out of bounds, and its result goes through the match-key normalization the
// checks use.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "detectors/text/html_page.h"
#include "detectors/text/normalize.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the Content-Type header the server sent.
  static constexpr std::string_view kTypes[] = {"",
                                                "text/html",
                                                "text/html; charset=Shift_JIS",
                                                "text/html; charset=EUC-JP",
                                                "text/html; charset=utf-8",
                                                "text/html; charset=\"iso-2022-jp\"",
                                                "text/plain; charset=x-bogus",
                                                "text/html; charset="};
  const std::string_view type = kTypes[data[0] % (sizeof kTypes / sizeof kTypes[0])];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string text = mamori::detectors::text::page_text(body, type);
  (void)mamori::detectors::text::match_key(text);
  (void)mamori::detectors::text::decode_html_entities(body);
  return 0;
}
