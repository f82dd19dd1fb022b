#include "collectors/common/text_links.h"

#include <algorithm>
#include <cctype>

namespace mamori::collectors {
namespace {

bool ends_url(unsigned char c) {
  // ASCII whitespace and controls, quotes and angle brackets; any non-ASCII byte (Japanese text
  // often follows a link without a space: "https://example.jp/をご覧ください").
  return c <= 0x20 || c == 0x7F || c == '"' || c == '<' || c == '>' || c >= 0x80;
}

}  // namespace

void add_unique_link(std::vector<std::string>& urls, std::string url) {
  if (url.empty()) return;
  if (std::find(urls.begin(), urls.end(), url) == urls.end()) urls.push_back(std::move(url));
}

std::vector<std::string> links_in_text(std::string_view text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t h = text.find("http", pos);
    if (h == std::string_view::npos) break;
    std::size_t start = h + 4;
    if (start < text.size() && text[start] == 's') ++start;
    // "xhttps://" is not a link start; "URL:https://", "(https://" and "→https://" are.
    const bool glued = h > 0 && std::isalnum(static_cast<unsigned char>(text[h - 1])) != 0;
    if (text.substr(start, 3) != "://" || glued) {
      pos = h + 4;
      continue;
    }
    std::size_t end = start + 3;
    while (end < text.size() && !ends_url(static_cast<unsigned char>(text[end]))) ++end;
    // Sentence punctuation and a closing bracket after a link belong to the text.
    while (end > start + 3 &&
           std::string_view(".,;:!?)]}'").find(text[end - 1]) != std::string_view::npos) {
      --end;
    }
    if (end > start + 3) add_unique_link(out, std::string(text.substr(h, end - h)));
    pos = end;
  }
  return out;
}

}  // namespace mamori::collectors
