#include "daemon/incidents/subject_ref.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include "collectors/http/host_allow_list.h"
#include "model/text.h"

namespace mamori::incidents {
namespace {

std::string bare_host(std::string host) {
  host = model::ascii_lower(host);
  if (host.rfind("www.", 0) == 0) host.erase(0, 4);
  if (!host.empty() && host.back() == '.') host.pop_back();
  return host;
}

// The path's segments, without query and fragment ("/a/b/?q" -> {"a", "b"}).
std::vector<std::string> path_segments(std::string_view url) {
  if (const auto p = url.find("://"); p != std::string_view::npos) url.remove_prefix(p + 3);
  const auto slash = url.find('/');
  std::vector<std::string> out;
  if (slash == std::string_view::npos) return out;
  std::string_view path = url.substr(slash + 1);
  path = path.substr(0, path.find_first_of("?#"));
  while (!path.empty()) {
    const auto p = path.find('/');
    if (p != 0) out.emplace_back(path.substr(0, p));
    if (p == std::string_view::npos) break;
    path.remove_prefix(p + 1);
  }
  return out;
}

bool all_of(std::string_view s, bool (*ok)(unsigned char)) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [&](char c) { return ok(static_cast<unsigned char>(c)); });
}
bool digit(unsigned char c) {
  return std::isdigit(c) != 0;
}
bool x_name_char(unsigned char c) {
  return std::isalnum(c) != 0 || c == '_';
}
bool bluesky_char(unsigned char c) {
  return std::isalnum(c) != 0 || c == '.' || c == '-' || c == ':';
}
bool mastodon_char(unsigned char c) {
  return std::isalnum(c) != 0 || c == '_' || c == '.' || c == '-';
}

// x.com's own pages, not accounts.
bool x_reserved(std::string_view s) {
  static constexpr std::array<std::string_view, 14> kReserved{
      "i",        "home",          "search", "explore", "intent",  "settings", "hashtag",
      "messages", "notifications", "share",  "tos",     "privacy", "login",    "compose"};
  const std::string lower = model::ascii_lower(s);
  return std::find(kReserved.begin(), kReserved.end(), lower) != kReserved.end();
}

std::optional<model::Platform> platform_of_host(const std::string& host,
                                                std::string_view mastodon_instance) {
  if (host == "x.com" || host == "twitter.com" || host == "mobile.twitter.com")
    return model::Platform::x;
  if (host == "bsky.app") return model::Platform::bluesky;
  if (!mastodon_instance.empty()) {
    if (const auto m = collectors::parse_http_url(mastodon_instance);
        m && bare_host(m->host) == host)
      return model::Platform::mastodon;
  }
  return std::nullopt;
}

std::string instance_host(std::string_view mastodon_instance) {
  const auto m = collectors::parse_http_url(mastodon_instance);
  return m ? bare_host(m->host) : std::string();
}

// "@user", "user", "@user@domain" as an acct relative to the configured instance.
std::optional<std::string> mastodon_acct(std::string_view s, const std::string& home) {
  if (!s.empty() && s.front() == '@') s.remove_prefix(1);
  std::string user(s);
  std::string domain;
  if (const auto at = user.find('@'); at != std::string::npos) {
    domain = bare_host(user.substr(at + 1));
    user.resize(at);
  }
  if (!all_of(user, mastodon_char) || (!domain.empty() && !all_of(domain, mastodon_char)))
    return std::nullopt;
  if (domain.empty() || domain == home) return user;
  return user + "@" + domain;
}

std::optional<SubjectRef> from_handle(std::string_view s, model::Platform platform,
                                      std::string_view mastodon_instance) {
  SubjectRef r;
  r.platform = platform;
  switch (platform) {
    case model::Platform::x:
      if (!s.empty() && s.front() == '@') s.remove_prefix(1);
      if (s.size() > 15 || !all_of(s, x_name_char)) return std::nullopt;
      r.handle = std::string(s);
      return r;
    case model::Platform::bluesky:
      if (!s.empty() && s.front() == '@') s.remove_prefix(1);
      // A handle (a domain name) or a DID.
      if (!all_of(s, bluesky_char) ||
          (s.find('.') == std::string_view::npos && !s.starts_with("did:")))
        return std::nullopt;
      r.handle = model::ascii_lower(s);
      return r;
    case model::Platform::mastodon:
      if (auto acct = mastodon_acct(s, instance_host(mastodon_instance))) {
        r.handle = std::move(*acct);
        return r;
      }
      return std::nullopt;
    default:
      return std::nullopt;  // facebook, instagram, youtube: not read from a hand-typed subject
  }
}

std::optional<SubjectRef> from_url(std::string_view subject, std::optional<model::Platform> chosen,
                                   std::string_view mastodon_instance) {
  const auto url = collectors::parse_http_url(subject);
  if (!url) return std::nullopt;
  const std::string host = bare_host(url->host);
  auto platform = platform_of_host(host, mastodon_instance);
  // Another Mastodon server than the configured one, when staff chose Mastodon.
  if (!platform && chosen == model::Platform::mastodon) platform = model::Platform::mastodon;
  if (!platform || (chosen && *chosen != *platform)) return std::nullopt;
  const auto seg = path_segments(subject);
  SubjectRef r;
  r.platform = *platform;
  switch (*platform) {
    case model::Platform::x:
      if (!seg.empty() && !x_reserved(seg[0])) {
        if (auto a = from_handle(seg[0], r.platform, mastodon_instance)) r.handle = a->handle;
      }
      if (!r.handle.empty() && seg.size() >= 3 && seg[1] == "status" && all_of(seg[2], digit))
        r.post_id = seg[2];
      break;
    case model::Platform::bluesky:
      if (seg.size() >= 2 && seg[0] == "profile") {
        if (auto a = from_handle(seg[1], r.platform, mastodon_instance)) r.handle = a->handle;
      }
      if (!r.handle.empty() && seg.size() >= 4 && seg[2] == "post" &&
          all_of(seg[3], [](unsigned char c) { return std::isalnum(c) != 0; }))
        r.post_id = seg[3];
      break;
    case model::Platform::mastodon:
      if (!seg.empty() && seg[0].size() > 1 && seg[0].front() == '@') {
        // https://other.example/@user is user@other.example seen from the configured instance.
        const std::string home = instance_host(mastodon_instance);
        std::string acct = seg[0];
        if (acct.find('@', 1) == std::string::npos && host != home) acct += "@" + host;
        if (auto a = mastodon_acct(acct, home)) r.handle = std::move(*a);
      }
      if (!r.handle.empty() && seg.size() >= 2 && all_of(seg[1], digit)) r.post_id = seg[1];
      break;
    default:
      break;
  }
  return r;
}

}  // namespace

std::optional<SubjectRef> resolve_subject(std::string_view subject,
                                          std::optional<model::Platform> platform,
                                          std::string_view mastodon_instance) {
  while (!subject.empty() && std::isspace(static_cast<unsigned char>(subject.front())))
    subject.remove_prefix(1);
  while (!subject.empty() && std::isspace(static_cast<unsigned char>(subject.back())))
    subject.remove_suffix(1);
  if (subject.empty()) return std::nullopt;
  if (subject.find("://") != std::string_view::npos)
    return from_url(subject, platform, mastodon_instance);
  if (!platform) return std::nullopt;  // "@soma_city" alone: which platform is not known
  return from_handle(subject, *platform, mastodon_instance);
}

std::optional<SubjectRef> resolve_manual_subject(std::string_view incident_subject,
                                                 std::string_view incident_platform,
                                                 std::string_view mastodon_instance) {
  constexpr std::string_view kPrefix = "manual:";
  if (!incident_subject.starts_with(kPrefix)) return std::nullopt;
  incident_subject.remove_prefix(kPrefix.size());
  return resolve_subject(incident_subject, model::platform_from_string(incident_platform),
                         mastodon_instance);
}

std::string describe(const SubjectRef& ref) {
  const std::string where = "（" + std::string(model::display_name(ref.platform)) + "）";
  if (!ref.post_id.empty()) return "@" + ref.handle + " の投稿 " + ref.post_id + where;
  return "@" + ref.handle + where;
}

}  // namespace mamori::incidents
