#include "collectors/instagram/instagram_collector.h"

#include "collectors/common/page_walk.h"
#include "collectors/instagram/instagram_parse.h"

namespace mamori::collectors::instagram {
namespace {

std::string paged(std::string q, const Cursor& cursor) {
  if (cursor.page) q += "&after=" + url_encode(*cursor.page);
  return q;
}

}  // namespace

std::string business_discovery_path(const std::string& ig_user_id, const std::string& username) {
  std::string bare = username;
  if (!bare.empty() && bare.front() == '@') bare.erase(0, 1);
  // The username sits inside the field expansion: percent-encoding it keeps a crafted name from
  // adding fields or closing the expansion.
  return "/" + url_encode(ig_user_id) + "?fields=" +
         url_encode("business_discovery.username(" + bare + "){" + std::string(kUserFields) + "}");
}

std::string mentioned_media_path(const std::string& ig_user_id, const std::string& media_id) {
  return "/" + url_encode(ig_user_id) + "?fields=" +
         url_encode("mentioned_media.media_id(" + media_id + "){" +
                    std::string(kMentionedMediaFields) + "}");
}

std::string mentioned_comment_path(const std::string& ig_user_id, const std::string& comment_id) {
  return "/" + url_encode(ig_user_id) + "?fields=" +
         url_encode("mentioned_comment.comment_id(" + comment_id + "){" +
                    std::string(kMentionedCommentFields) + "}");
}

InstagramCollector::InstagramCollector(HttpClient& client, InstagramCollectorOptions options)
    : client_(client), options_(std::move(options)) {}

void InstagramCollector::run(const std::string& path_and_query, InstagramEndpoint endpoint,
                             std::vector<std::string> refs, PageHandler done) {
  HttpRequest r =
      api_request(options_.graph_base + path_and_query, model::Platform::instagram,
                  endpoint_name(endpoint), options_.timeout, options_.max_response_bytes);
  r.headers.emplace_back("Authorization", "Bearer " + options_.access_token);
  r.headers.emplace_back("Accept", "application/json");
  // X-Business-Use-Case-Usage counts the account's calls together.
  r.quota_scope = "instagram " + options_.ig_user_id;
  fetch_page(
      client_, std::move(r), model::Platform::instagram,
      [endpoint](std::string_view body, const ParseContext& c) { return parse(endpoint, body, c); },
      std::move(refs), std::move(done));
}

void InstagramCollector::lookup_profiles(const std::vector<std::string>& handles,
                                         PageHandler done) {
  const std::string handle = handles.empty() ? std::string() : handles.front();
  run(business_discovery_path(options_.ig_user_id, handle), InstagramEndpoint::business_discovery,
      {handle}, std::move(done));
}

void InstagramCollector::search_accounts(const std::string& query, PageHandler done) {
  lookup_profiles({query}, std::move(done));
}

void InstagramCollector::recent_posts(const AccountRef& account, const Cursor& cursor,
                                      PageHandler done) {
  run(paged("/" + url_encode(account.account_id) + "/media?fields=" + url_encode(kMediaFields) +
                "&limit=25",
            cursor),
      InstagramEndpoint::user_media, {account.account_id},
      [done = std::move(done), sent = cursor.page](Page page) {
        drop_repeated_cursor(model::Platform::instagram, page, sent);
        done(std::move(page));
      });
}

void InstagramCollector::replies_and_mentions(const AccountRef& account, const Cursor& cursor,
                                              PageHandler done) {
  run(paged("/" + url_encode(account.account_id) + "/tags?fields=" + url_encode(kMediaFields) +
                "&limit=25",
            cursor),
      InstagramEndpoint::user_tags, {account.account_id},
      [done = std::move(done), sent = cursor.page](Page page) {
        drop_repeated_cursor(model::Platform::instagram, page, sent);
        done(std::move(page));
      });
}

void InstagramCollector::thread(const AccountRef& /*account*/, const std::string& media_id,
                                const Cursor& cursor, PageHandler done) {
  walk_pages(
      model::Platform::instagram,
      [this, media_id](const std::optional<std::string>& page, PageHandler next) {
        run(paged("/" + url_encode(media_id) + "/comments?fields=" + url_encode(kCommentFields) +
                      "&limit=50",
                  Cursor{std::nullopt, page}),
            InstagramEndpoint::media_comments, {media_id}, std::move(next));
      },
      cursor.page, options_.max_comment_pages, nullptr, std::move(done));
}

void InstagramCollector::mentioned_media(const std::string& ig_user_id, const std::string& media_id,
                                         PageHandler done) {
  run(mentioned_media_path(ig_user_id, media_id), InstagramEndpoint::mentioned_media,
      {ig_user_id, media_id}, std::move(done));
}

void InstagramCollector::mentioned_comment(const std::string& ig_user_id,
                                           const std::string& comment_id, PageHandler done) {
  run(mentioned_comment_path(ig_user_id, comment_id), InstagramEndpoint::mentioned_comment,
      {ig_user_id, comment_id}, std::move(done));
}

void InstagramCollector::fetch_avatar(const std::string& url, std::size_t max_bytes,
                                      std::function<void(HttpResponse)> done) {
  client_.fetch(avatar_request(url, model::Platform::instagram, options_.timeout, max_bytes),
                std::move(done));
}

}  // namespace mamori::collectors::instagram
