// URLs in the city's own posts and profile: finding them in free text, their host, and
// whether the host is a URL-shortening service (soma-city.txt 3(4) forbids them for the
// city's links; hokkaido.txt 4(6) discourages them: readers cannot see where they lead).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mamori::detectors::integrity {

// http(s) URLs in `text`, in order, without trailing punctuation (、。)」 etc.).
// Untrusted input: any bytes; never throws.
std::vector<std::string> extract_urls(std::string_view text);

// Lower-case host of an http(s) URL (or of "host/path" without a scheme); "" when none.
// Userinfo and port are dropped; a trailing dot is removed.
std::string url_host(std::string_view url);

// The host with a leading "www." removed.
std::string bare_host(std::string_view host);

// True when `host` (or a parent domain of it) is a known URL shortener: bit.ly, t.ly, tinyurl.com,
// ow.ly, is.gd, buff.ly, goo.gl, rebrand.ly, cutt.ly, x.gd, amzn.to, … . t.co is X's own
// wrapper, added to every link by the platform, and is not counted.
bool is_shortener_host(std::string_view host);

// The shortened URLs among `urls` plus those found in `text` (deduplicated, in order).
std::vector<std::string> shortened_urls(const std::vector<std::string>& urls,
                                        std::string_view text);

}  // namespace mamori::detectors::integrity
