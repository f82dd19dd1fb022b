#include "detectors/integrity/compliance.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "detectors/integrity/url_scan.h"
#include "detectors/text/html_page.h"
#include "detectors/text/normalize.h"
#include "model/text.h"

namespace mamori::detectors::integrity {
namespace {

std::string lower(std::string_view s) {
  return model::ascii_lower(s);
}

bool iequals(std::string_view a, std::string_view b) {
  return lower(a) == lower(b);
}

// "https://www.city.example.jp/sns/list.html?x=1#top" -> "city.example.jp/sns/list.html"
std::string comparable_url(std::string_view url) {
  std::string_view s = url;
  if (const auto p = s.find("://"); p != std::string_view::npos) s.remove_prefix(p + 3);
  s = s.substr(0, s.find_first_of("?#"));
  const auto slash = s.find('/');
  std::string host = bare_host(url_host(url));
  std::string path(slash == std::string_view::npos ? std::string_view{} : s.substr(slash));
  while (!path.empty() && path.back() == '/') path.pop_back();
  return host + path;
}

// The value of attribute `name` in a tag's inside (after the tag name), or nullopt.
std::optional<std::string> attribute(std::string_view tag, std::string_view name) {
  std::size_t i = 0;
  while (i < tag.size()) {
    while (i < tag.size() && (std::isspace(static_cast<unsigned char>(tag[i])) || tag[i] == '/'))
      ++i;
    const std::size_t key_start = i;
    while (i < tag.size() && tag[i] != '=' && !std::isspace(static_cast<unsigned char>(tag[i])) &&
           tag[i] != '/')
      ++i;
    const std::string_view key = tag.substr(key_start, i - key_start);
    while (i < tag.size() && std::isspace(static_cast<unsigned char>(tag[i]))) ++i;
    std::string_view value;
    if (i < tag.size() && tag[i] == '=') {
      ++i;
      while (i < tag.size() && std::isspace(static_cast<unsigned char>(tag[i]))) ++i;
      if (i < tag.size() && (tag[i] == '"' || tag[i] == '\'')) {
        const char q = tag[i++];
        const auto end = tag.find(q, i);
        value = tag.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
        i = end == std::string_view::npos ? tag.size() : end + 1;
      } else {
        const std::size_t v = i;
        while (i < tag.size() && !std::isspace(static_cast<unsigned char>(tag[i]))) ++i;
        value = tag.substr(v, i - v);
      }
    }
    if (key.empty()) {
      if (i < tag.size()) ++i;  // a stray character: move on
      continue;
    }
    if (iequals(key, name)) return text::decode_html_entities(value);
  }
  return std::nullopt;
}

bool mentions_handle(std::string_view text, std::string_view handle) {
  const std::string t = lower(text);
  const std::string needle = "@" + lower(handle);
  for (auto pos = t.find(needle); pos != std::string::npos; pos = t.find(needle, pos + 1)) {
    const std::size_t end = pos + needle.size();
    // "@soma_city" must not match "@soma_city2"; Bluesky handles contain dots, so a following
    // '.' followed by more name characters means a longer handle.
    if (end < t.size()) {
      const unsigned char c = static_cast<unsigned char>(t[end]);
      if (std::isalnum(c) || c == '_' || c == '-') continue;
      if (c == '.' && end + 1 < t.size() && std::isalnum(static_cast<unsigned char>(t[end + 1])))
        continue;
    }
    return true;
  }
  return false;
}

bool link_is_profile(std::string_view link, model::Platform platform, std::string_view handle,
                     std::string_view mastodon_instance) {
  const std::string host = bare_host(url_host(link));
  std::string_view s = link;
  if (const auto p = s.find("://"); p != std::string_view::npos) s.remove_prefix(p + 3);
  const auto slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view path = s.substr(slash + 1);
  path = path.substr(0, path.find_first_of("?#"));
  std::vector<std::string_view> seg;
  while (!path.empty()) {
    const auto p = path.find('/');
    seg.push_back(path.substr(0, p));
    path = p == std::string_view::npos ? std::string_view{} : path.substr(p + 1);
  }
  switch (platform) {
    case model::Platform::x:
      return (host == "x.com" || host == "twitter.com" || host == "mobile.twitter.com") &&
             !seg.empty() && iequals(seg[0], handle);
    case model::Platform::bluesky:
      return host == "bsky.app" && seg.size() >= 2 && seg[0] == "profile" &&
             iequals(seg[1], handle);
    case model::Platform::mastodon: {
      std::string local(handle);
      std::string domain;
      if (const auto at = local.find('@'); at != std::string::npos) {
        domain = local.substr(at + 1);
        local.resize(at);
      }
      const std::string instance_host = bare_host(url_host(mastodon_instance));
      const bool host_ok = host == (domain.empty() ? instance_host : bare_host(domain));
      return host_ok && !host.empty() && !seg.empty() && iequals(seg[0], "@" + local);
    }
    case model::Platform::facebook:
      return (host == "facebook.com" || host == "m.facebook.com") && !seg.empty() &&
             iequals(seg[0], handle);
    case model::Platform::instagram:
      return host == "instagram.com" && !seg.empty() && iequals(seg[0], handle);
    case model::Platform::youtube:
      return (host == "youtube.com" || host == "m.youtube.com") && !seg.empty() &&
             iequals(seg[0], "@" + std::string(handle));
  }
  return false;
}

AuditItem item(std::string id, std::string title, std::string clause) {
  AuditItem i;
  i.id = std::move(id);
  i.title = std::move(title);
  i.clause = std::move(clause);
  return i;
}

std::vector<std::string> profile_links(const model::ProfileSnapshot& p) {
  std::vector<std::string> links = extract_urls(p.description);
  if (!p.url.empty()) links.insert(links.begin(), p.url);
  return links;
}

}  // namespace

std::string_view to_string(ItemStatus s) {
  switch (s) {
    case ItemStatus::pass:
      return "pass";
    case ItemStatus::fail:
      return "fail";
    case ItemStatus::unknown:
      return "unknown";
  }
  return "unknown";
}

HtmlDigest digest_html(std::string_view html, std::size_t max_links) {
  HtmlDigest d;
  std::string raw_text;
  std::size_t i = 0;
  while (i < html.size()) {
    if (html[i] != '<') {
      const auto next = html.find('<', i);
      raw_text.append(
          html.substr(i, next == std::string_view::npos ? std::string_view::npos : next - i));
      if (next == std::string_view::npos) break;
      i = next;
      continue;
    }
    if (html.substr(i, 4) == "<!--") {
      const auto end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    const auto close = html.find('>', i + 1);
    const std::string_view tag = html.substr(
        i + 1, close == std::string_view::npos ? std::string_view::npos : close - i - 1);
    i = close == std::string_view::npos ? html.size() : close + 1;
    std::size_t n = 0;
    while (n < tag.size() &&
           (std::isalnum(static_cast<unsigned char>(tag[n])) || tag[n] == '/' || tag[n] == '!'))
      ++n;
    const std::string name = lower(tag.substr(0, n));
    if (name == "a" || name == "link" || name == "area") {
      if (auto href = attribute(tag.substr(n), "href");
          href && !href->empty() && d.links.size() < max_links) {
        d.links.push_back(std::move(*href));
      }
    } else if (name == "script" || name == "style") {
      // Their content is not page text (and may contain '<').
      const auto end =
          lower(html.substr(i, std::min<std::size_t>(html.size() - i, 1 << 20))).find("</" + name);
      i = end == std::string::npos ? html.size() : i + end;
    }
    raw_text += ' ';  // tags separate words
  }
  d.text = text::decode_html_entities(raw_text);
  return d;
}

bool page_names_account(const HtmlDigest& page, model::Platform platform, std::string_view handle,
                        std::string_view mastodon_instance) {
  if (handle.empty()) return false;
  for (const auto& l : page.links) {
    if (link_is_profile(l, platform, handle, mastodon_instance)) return true;
  }
  return mentions_handle(page.text, handle);
}

bool profile_links_to(const model::ProfileSnapshot& profile, std::string_view homepage_url,
                      std::string_view list_page_url) {
  std::vector<std::string> hosts;
  for (auto u : {homepage_url, list_page_url}) {
    if (!u.empty()) hosts.push_back(bare_host(url_host(u)));
  }
  for (const auto& l : profile_links(profile)) {
    const std::string h = bare_host(url_host(l));
    if (!h.empty() && std::find(hosts.begin(), hosts.end(), h) != hosts.end()) return true;
  }
  return false;
}

std::vector<AuditItem> audit(const AuditInput& in) {
  std::vector<AuditItem> out;
  const std::string at_handle = "@" + in.handle;

  // 1. The homepage URL in the profile.
  {
    auto i = item("profile_homepage_url", "プロフィールに市公式ホームページのURLを記載している",
                  "soma-city.txt 3(3), hokkaido.txt 3(4)");
    if (in.homepage_url.empty()) {
      i.detail = "公式ホームページのURLが設定されていません（[municipality] homepage）";
    } else if (!in.profile) {
      i.detail = "プロフィールをまだ取得していません";
    } else if (profile_links_to(*in.profile, in.homepage_url, "")) {
      i.status = ItemStatus::pass;
      i.detail = "プロフィールに " + bare_host(url_host(in.homepage_url)) + " へのリンクがあります";
    } else {
      i.status = ItemStatus::fail;
      i.detail =
          "プロフィールのURL欄・自己紹介に " + bare_host(url_host(in.homepage_url)) +
          " のURLがありません。当該アカウントを紹介しているホームページのURLを記載してください";
    }
    out.push_back(std::move(i));
  }

  // 2. The operating department or the media policy in the profile text.
  {
    auto i =
        item("profile_department", "プロフィールに運用部署名又はメディアポリシーを記載している",
             "special-ward.txt 5(5)イ, soma-city.txt 3(3)");
    if (!in.profile) {
      i.detail = "プロフィールをまだ取得していません";
    } else {
      const std::string desc = text::match_key(in.profile->description);
      const bool department =
          !in.department.empty() && desc.find(text::match_key(in.department)) != std::string::npos;
      bool policy = false;
      for (std::string_view k : {"ポリシー", "運用方針", "利用規約", "運用指針"}) {
        policy = policy || desc.find(text::match_key(k)) != std::string::npos;
      }
      if (department || policy) {
        i.status = ItemStatus::pass;
        i.detail = department ? "プロフィールに運用部署「" + in.department + "」の記載があります"
                              : "プロフィールにメディアポリシー（運用方針）の記載があります";
      } else {
        i.status = ItemStatus::fail;
        i.detail = in.department.empty() ? "プロフィールに運用部署名・メディアポリシーが見当たりま"
                                           "せん（設定の department も未記入です）"
                                         : "プロフィールに運用部署「" + in.department +
                                               "」又はメディアポリシーの記載がありません";
      }
    }
    out.push_back(std::move(i));
  }

  // 3. No URL shorteners in the profile or recent posts.
  {
    auto i = item("no_url_shorteners", "投稿・プロフィールで短縮URLを使っていない",
                  "soma-city.txt 3(4), hokkaido.txt 4(6)");
    std::vector<std::string> hits;
    if (in.profile) {
      for (auto& u :
           shortened_urls(in.profile->url.empty() ? std::vector<std::string>{}
                                                  : std::vector<std::string>{in.profile->url},
                          in.profile->description)) {
        hits.push_back("プロフィール: " + u);
      }
    }
    for (const auto& p : in.recent_posts) {
      if (p.reposted_post_id) continue;  // someone else's words
      for (auto& u : shortened_urls(p.urls, p.text)) hits.push_back("投稿 " + p.post_id + ": " + u);
    }
    if (!in.profile && in.recent_posts.empty()) {
      i.detail = "プロフィール・投稿をまだ取得していません";
    } else if (hits.empty()) {
      i.status = ItemStatus::pass;
      i.detail = "直近の投稿" + std::to_string(in.recent_posts.size()) +
                 "件とプロフィールに短縮URLはありません";
    } else {
      i.status = ItemStatus::fail;
      i.detail = "短縮URLが使われています（" + std::to_string(hits.size()) + "件）: ";
      for (std::size_t k = 0; k < hits.size() && k < 3; ++k) i.detail += (k ? " / " : "") + hits[k];
      i.detail += "。本来のURLを全て表示してください";
    }
    out.push_back(std::move(i));
  }

  // 4. The homepage's official-account list names the account.
  {
    auto i = item("homepage_lists_account",
                  "ホームページの公式アカウント一覧にこのアカウントが掲載されている",
                  "special-ward.txt 5(5)ア, shiroi-city.txt 4(2), hokkaido.txt 3(3)");
    if (in.list_page_url.empty()) {
      i.detail =
          "公式アカウント一覧ページのURLが設定されていません（[municipality] "
          "official_account_list_url）";
    } else if (!in.list_page || !in.list_page->body) {
      i.detail = "一覧ページを取得できませんでした" + (in.list_page && !in.list_page->error.empty()
                                                           ? "（" + in.list_page->error + "）"
                                                           : std::string());
    } else if (page_names_account(digest_html(*in.list_page->body), in.platform, in.handle,
                                  in.mastodon_instance)) {
      i.status = ItemStatus::pass;
      i.detail = "一覧ページ " + in.list_page_url + " に " + at_handle + " が掲載されています";
    } else {
      i.status = ItemStatus::fail;
      i.detail = "一覧ページ " + in.list_page_url + " に " + at_handle +
                 " へのリンク・記載が見当たりません";
    }
    out.push_back(std::move(i));
  }

  // 5. The account links back to the homepage (the two-way link).
  {
    auto i =
        item("account_links_back", "アカウントから市公式ホームページへリンクしている（相互リンク）",
             "shiroi-city.txt 4(2)");
    if (in.homepage_url.empty() && in.list_page_url.empty()) {
      i.detail = "公式ホームページのURLが設定されていません";
    } else if (!in.profile) {
      i.detail = "プロフィールをまだ取得していません";
    } else {
      bool to_list = false;
      if (!in.list_page_url.empty()) {
        const std::string want = comparable_url(in.list_page_url);
        for (const auto& l : profile_links(*in.profile))
          to_list = to_list || comparable_url(l) == want;
      }
      if (to_list) {
        i.status = ItemStatus::pass;
        i.detail = "プロフィールから公式アカウント一覧ページへリンクしています";
      } else if (profile_links_to(*in.profile, in.homepage_url, in.list_page_url)) {
        i.status = ItemStatus::pass;
        i.detail = "プロフィールから市公式ホームページへリンクしています" +
                   std::string(in.list_page_url.empty() ? ""
                                                        : "（一覧ページ " + in.list_page_url +
                                                              " へのリンクがより確実です）");
      } else {
        i.status = ItemStatus::fail;
        i.detail = "プロフィールに市公式ホームページへのリンクがありません";
      }
    }
    out.push_back(std::move(i));
  }

  // 6. Two administrators recorded.
  {
    auto i = item("two_administrators", "アカウント管理者が2名登録されている",
                  "ube-city.txt 4(1), ube-city.txt 4(5)");
    const auto n = in.administrators.size();
    if (n == 2) {
      i.status = ItemStatus::pass;
      i.detail = "管理者: " + in.administrators[0] + "、" + in.administrators[1];
    } else {
      i.status = ItemStatus::fail;
      i.detail = n < 2 ? "設定に記録された管理者が" + std::to_string(n) +
                             "名です。原則2名を記録してください（administrators）"
                       : "設定に記録された管理者が" + std::to_string(n) +
                             "名です。管理者は原則2名とし、他は編集者権限とします";
    }
    out.push_back(std::move(i));
  }

  // 7. Two-factor authentication recorded.
  {
    auto i = item("two_factor", "二段階認証の設定が記録されている",
                  "ube-city.txt 4(2), special-ward.txt 5(4)");
    i.status = in.two_factor ? ItemStatus::pass : ItemStatus::fail;
    i.detail = in.two_factor ? "二段階認証を設定済みと記録されています"
                             : "二段階認証の設定が記録されていません。設定した上で two_factor = "
                               "true を記録してください";
    out.push_back(std::move(i));
  }
  return out;
}

}  // namespace mamori::detectors::integrity
