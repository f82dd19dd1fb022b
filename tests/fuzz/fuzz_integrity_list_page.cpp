// Fuzz target: what the integrity detectors read from outside — the homepage's official-account
// list page (HTML from a web server), profile and post text (URLs, shorteners, scam wording),
// and the compliance audit over all of it. Checks invariants besides "no crash".
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "detectors/integrity/compliance.h"
#include "detectors/integrity/own_post_anomaly.h"
#include "detectors/integrity/url_scan.h"

namespace di = mamori::detectors::integrity;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const auto page = di::digest_html(input, 1000);
  if (page.links.size() > 1000) std::abort();
  for (const auto& l : page.links) {
    if (l.empty()) std::abort();
  }
  for (auto p : {mamori::model::Platform::x, mamori::model::Platform::bluesky,
                 mamori::model::Platform::mastodon}) {
    (void)di::page_names_account(page, p, "soma_city", "https://mastodon.example");
  }

  for (const auto& u : di::extract_urls(input)) {
    // extract_urls only returns URLs with an http(s) scheme (any letter case) and a host part.
    if (u.size() < 8) std::abort();
    for (std::size_t k = 0; k < 4; ++k) {
      if ((u[k] | 0x20) != "http"[k]) std::abort();
    }
    const std::string host = di::url_host(u);
    for (char c : host) {
      if (c >= 'A' && c <= 'Z') std::abort();  // hosts are lower-cased
    }
    (void)di::is_shortener_host(host);
  }
  for (const auto& s : di::scam_wording(input)) {
    if (s.weight <= 0 || s.weight >= 1 || s.reason.empty()) std::abort();
  }

  // The whole audit with the input as list page, profile text and a post.
  di::AuditInput in;
  in.handle = "soma_city";
  in.administrators = {"a", "b"};
  mamori::model::ProfileSnapshot profile;
  profile.description = std::string(input.substr(0, 2000));
  profile.url = std::string(input.substr(0, 200));
  in.profile = profile;
  mamori::model::Post post;
  post.post_id = "1";
  post.text = std::string(input.substr(0, 2000));
  in.recent_posts.push_back(post);
  in.homepage_url = "https://www.city.soma.fukushima.jp/";
  in.list_page_url = "https://www.city.soma.fukushima.jp/sns/";
  in.list_page = di::ListPage{in.list_page_url, std::string(input), ""};
  const auto items = di::audit(in);
  if (items.size() != 7) std::abort();
  for (const auto& i : items) {
    if (i.detail.empty() || i.clause.empty()) std::abort();
  }
  return 0;
}
