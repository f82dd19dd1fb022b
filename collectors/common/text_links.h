// Links written out in plain text (Facebook messages, YouTube descriptions and comments carry no
// link entities): every http:// or https:// run up to whitespace or a character that cannot end
// a URL in running text, in order, without duplicates.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mamori::collectors {

std::vector<std::string> links_in_text(std::string_view text);

// Adds `url` to `urls` unless it is empty or already there.
void add_unique_link(std::vector<std::string>& urls, std::string url);

}  // namespace mamori::collectors
