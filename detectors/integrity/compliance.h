// The guideline compliance audit of one official account: what citizens need to tell the real
// account from a fake, and what keeps it from being taken over. Each item cites its clause.
// Pure: the daemon gathers the inputs (profile, recent posts, the homepage's account-list page,
// the configuration) and stores the results.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/observation.h"

namespace mamori::detectors::integrity {

enum class ItemStatus { pass, fail, unknown };
std::string_view to_string(ItemStatus s);

struct AuditItem {
  std::string id;      // profile_homepage_url, profile_department, no_url_shorteners, ...
  std::string title;   // Japanese
  std::string clause;  // "soma-city.txt 3(3), hokkaido.txt 3(4)"
  ItemStatus status = ItemStatus::unknown;
  std::string detail;  // Japanese: why it passed or failed, what to do
};

// The homepage's page listing the official accounts, as fetched.
struct ListPage {
  std::string url;
  std::optional<std::string> body;  // nullopt: not fetched
  std::string error;                // why not (Japanese or a transport outcome)
};

struct AuditInput {
  model::Platform platform = model::Platform::x;
  std::string handle;  // as configured
  std::string department;
  std::vector<std::string> administrators;
  bool two_factor = false;
  std::optional<model::ProfileSnapshot> profile;  // latest observed
  std::vector<model::Post> recent_posts;          // the account's own, newest first
  std::string homepage_url;                       // [municipality] homepage
  std::string list_page_url;                      // [municipality] official_account_list_url
  std::optional<ListPage> list_page;
  std::string mastodon_instance;  // https://mastodon.example, to recognise profile links there
};

std::vector<AuditItem> audit(const AuditInput& input);

// Links (href values, entity-decoded) in an HTML document and its visible text (tags removed,
// entities decoded). Untrusted, possibly malformed HTML of any size; never throws.
struct HtmlDigest {
  std::vector<std::string> links;
  std::string text;
};
HtmlDigest digest_html(std::string_view html, std::size_t max_links = 5000);

// Whether a page names the account: a link to its profile on the platform, or "@handle" in the
// text.
bool page_names_account(const HtmlDigest& page, model::Platform platform, std::string_view handle,
                        std::string_view mastodon_instance = "");

// Whether the profile (website field or text) links to the homepage: same host as the homepage
// or the list page (shiroi-city.txt 4(2)).
bool profile_links_to(const model::ProfileSnapshot& profile, std::string_view homepage_url,
                      std::string_view list_page_url);

}  // namespace mamori::detectors::integrity
