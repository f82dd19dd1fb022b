#include "collectors/bluesky/bluesky_collector.h"

#include <boost/json.hpp>

#include "collectors/bluesky/bluesky_parse.h"

namespace mamori::collectors::bluesky {

BlueskyCollector::BlueskyCollector(HttpClient& client, BlueskyCollectorOptions options)
    : client_(client), options_(std::move(options)) {}

HttpRequest BlueskyCollector::request(const std::string& base, const std::string& method_and_query,
                                      BlueskyEndpoint endpoint) const {
  HttpRequest r =
      api_request(base + "/xrpc/" + method_and_query, model::Platform::bluesky,
                  endpoint_name(endpoint), options_.timeout, options_.max_response_bytes);
  r.headers.emplace_back("Accept", "application/json");
  // Bluesky's services count every route together per client IP (3000 requests per 5 minutes):
  // one window per service, whichever endpoint spends it. Session calls have their own, tighter
  // limits (per handle) and keep their endpoint's window.
  r.quota_scope = base;
  return r;
}

void BlueskyCollector::run(HttpRequest r, BlueskyEndpoint endpoint, std::vector<std::string> refs,
                           PageHandler done) {
  fetch_page(
      client_, std::move(r), model::Platform::bluesky,
      [endpoint](std::string_view body, const ParseContext& c) { return parse(endpoint, body, c); },
      std::move(refs), std::move(done));
}

void BlueskyCollector::lookup_profiles(const std::vector<std::string>& handles, PageHandler done) {
  if (handles.size() == 1) {
    run(request(options_.api_base, "app.bsky.actor.getProfile?actor=" + url_encode(handles[0]),
                BlueskyEndpoint::get_profile),
        BlueskyEndpoint::get_profile, handles, std::move(done));
    return;
  }
  std::string q = "app.bsky.actor.getProfiles?";
  for (std::size_t i = 0; i < handles.size(); ++i)
    q += (i ? "&" : "") + std::string("actors=") + url_encode(handles[i]);
  run(request(options_.api_base, q, BlueskyEndpoint::get_profiles), BlueskyEndpoint::get_profiles,
      handles, std::move(done));
}

void BlueskyCollector::search_accounts(const std::string& query, PageHandler done) {
  run(request(options_.api_base, "app.bsky.actor.searchActors?limit=100&q=" + url_encode(query),
              BlueskyEndpoint::search_actors),
      BlueskyEndpoint::search_actors, {}, std::move(done));
}

void BlueskyCollector::recent_posts(const AccountRef& account, const Cursor& cursor,
                                    PageHandler done) {
  const std::string actor = account.account_id.empty() ? account.handle : account.account_id;
  std::string q =
      "app.bsky.feed.getAuthorFeed?limit=100&filter=posts_no_replies&actor=" + url_encode(actor);
  if (cursor.page) q += "&cursor=" + url_encode(*cursor.page);
  run(request(options_.api_base, q, BlueskyEndpoint::get_author_feed),
      BlueskyEndpoint::get_author_feed, {actor}, std::move(done));
}

void BlueskyCollector::thread(const AccountRef& /*account*/, const std::string& post_id,
                              const Cursor& /*cursor*/, PageHandler done) {
  run(request(options_.api_base,
              "app.bsky.feed.getPostThread?depth=20&parentHeight=0&uri=" + url_encode(post_id),
              BlueskyEndpoint::get_post_thread),
      BlueskyEndpoint::get_post_thread, {post_id}, std::move(done));
}

void BlueskyCollector::quotes(const AccountRef& /*account*/, const std::string& post_id,
                              const Cursor& cursor, PageHandler done) {
  std::string q = "app.bsky.feed.getQuotes?limit=100&uri=" + url_encode(post_id);
  if (cursor.page) q += "&cursor=" + url_encode(*cursor.page);
  run(request(options_.api_base, q, BlueskyEndpoint::get_quotes), BlueskyEndpoint::get_quotes,
      {post_id}, std::move(done));
}

void BlueskyCollector::replies_and_mentions(const AccountRef& /*account*/, const Cursor& cursor,
                                            PageHandler done) {
  // Without a session there is nothing to ask: the page says why.
  with_session([this, cursor, done = std::move(done)](const std::string& error) mutable {
    if (!error.empty()) {
      Page page;
      page.endpoint = std::string(endpoint_name(BlueskyEndpoint::list_notifications));
      model::ObservationError e;
      e.platform = model::Platform::bluesky;
      e.endpoint = page.endpoint;
      e.message = "no session: " + error;
      e.observed_at = std::chrono::floor<std::chrono::milliseconds>(model::Clock::now());
      page.result.outcome = ParseOutcome::platform_error;
      page.result.observations.emplace_back(std::move(e));
      done(std::move(page));
      return;
    }
    std::string q = "app.bsky.notification.listNotifications?limit=100";
    if (cursor.page) q += "&cursor=" + url_encode(*cursor.page);
    HttpRequest r = request(options_.pds_base, q, BlueskyEndpoint::list_notifications);
    std::string endpoint = r.endpoint;
    std::string url = r.url;
    // With the session's token; an expired one is refreshed once and the page fetched again.
    fetch_with_session(std::move(r), [endpoint = std::move(endpoint), url = std::move(url),
                                      done = std::move(done)](HttpResponse response) mutable {
      done(page_from_response(
          std::move(endpoint), std::move(url), model::Platform::bluesky,
          [](std::string_view body, const ParseContext& c) {
            return parse(BlueskyEndpoint::list_notifications, body, c);
          },
          {}, std::move(response)));
    });
  });
}

void BlueskyCollector::with_session(std::function<void(const std::string&)> then) {
  if (options_.identifier.empty()) {
    then("no [platforms.bluesky] identifier configured");
    return;
  }
  if (!access_jwt_.empty()) {
    then("");
    return;
  }
  waiting_for_session_.push_back(std::move(then));
  if (session_pending_) return;
  session_pending_ = true;
  const bool can_refresh = !refresh_jwt_.empty();
  session_request(can_refresh, [this, can_refresh](const std::string& error) {
    auto finish = [this](const std::string& err) {
      session_pending_ = false;
      auto waiting = std::move(waiting_for_session_);
      waiting_for_session_.clear();
      for (auto& w : waiting) w(err);
    };
    if (error.empty() || !can_refresh) {
      finish(error);
      return;
    }
    // The refresh token expired too: sign in again with the app password.
    refresh_jwt_.clear();
    session_request(false, finish);
  });
}

void BlueskyCollector::session_request(bool refresh, std::function<void(const std::string&)> then) {
  HttpRequest r;
  r.method = "POST";
  r.url = options_.pds_base + "/xrpc/com.atproto.server." +
          (refresh ? "refreshSession" : "createSession");
  r.headers.emplace_back("Accept", "application/json");
  if (refresh) {
    r.headers.emplace_back("Authorization", "Bearer " + refresh_jwt_);
  } else {
    r.headers.emplace_back("Content-Type", "application/json");
    boost::json::object body;
    body["identifier"] = options_.identifier;
    body["password"] = options_.app_password;
    r.body = boost::json::serialize(body);
  }
  r.timeout = options_.timeout;
  r.max_response_bytes = 64 * 1024;
  r.platform = "bluesky";
  r.endpoint = refresh ? "com.atproto.server.refreshSession" : "com.atproto.server.createSession";
  client_.fetch(std::move(r), [this, then = std::move(then)](HttpResponse res) {
    if (res.outcome != HttpOutcome::ok) {
      then(std::string("session request failed: ") + std::string(to_string(res.outcome)));
      return;
    }
    if (res.status != 200) {
      then("session request answered HTTP " + std::to_string(res.status));
      return;
    }
    boost::system::error_code ec;
    const auto v = boost::json::parse(res.body, ec);
    const auto* o = ec ? nullptr : v.if_object();
    const auto* access = o ? o->if_contains("accessJwt") : nullptr;
    const auto* refresh_token = o ? o->if_contains("refreshJwt") : nullptr;
    if (access == nullptr || !access->is_string() || refresh_token == nullptr ||
        !refresh_token->is_string()) {
      then("session response without tokens");
      return;
    }
    access_jwt_ = access->as_string().c_str();
    refresh_jwt_ = refresh_token->as_string().c_str();
    then("");
  });
}

void BlueskyCollector::fetch_avatar(const std::string& url, std::size_t max_bytes,
                                    std::function<void(HttpResponse)> done) {
  client_.fetch(avatar_request(url, model::Platform::bluesky, options_.timeout, max_bytes),
                std::move(done));
}

}  // namespace mamori::collectors::bluesky
