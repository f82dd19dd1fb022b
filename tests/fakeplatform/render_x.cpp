// X API v2 shapes: user lookup, user search, timelines, recent search, recent counts, quote
// posts. Fields and expansions
// behave like the real API: only id/text (tweets) and id/name/username (users) unless asked for.
#include <algorithm>
#include <cstdio>
#include <set>

#include "tests/fakeplatform/util.h"
#include "tests/fakeplatform/world.h"

namespace mamori::fakeplatform {
namespace {

bool has(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

Reply invalid_request(const std::string& parameter, const std::string& value,
                      const std::string& message) {
  boost::json::object param;
  param[parameter] = boost::json::array{boost::json::value(value)};
  Reply r;
  r.status = 400;
  r.body = boost::json::serialize(boost::json::object{
      {"errors",
       boost::json::array{boost::json::object{{"parameters", param}, {"message", message}}}},
      {"title", "Invalid Request"},
      {"detail", "One or more parameters to your request was invalid."},
      {"type", "https://api.twitter.com/2/problems/invalid-request"}});
  return r;
}

std::string to_hex(std::string_view decimal) {
  unsigned long long v = std::strtoull(std::string(decimal).c_str(), nullptr, 10);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llx", v);
  return buf;
}

std::optional<std::string> from_hex(std::string_view token) {
  if (token.size() < 2 || token.size() > 20 || token.front() != 'p') return std::nullopt;
  const std::string hex(token.substr(1));
  if (hex.find_first_not_of("0123456789abcdef") != std::string::npos) return std::nullopt;
  return std::to_string(std::strtoull(hex.c_str(), nullptr, 16));
}

// Splits a search query into terms, keeping "quoted phrases" together.
// "2026-12-06T04:05:00Z" or with milliseconds; nullopt for anything else.
std::optional<WallTime> parse_x_time(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  char z = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &sec, &z) != 7)
    return std::nullopt;
  if (z != 'Z' && z != '.') return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo),
                                        std::chrono::day(d)};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  return WallTime(std::chrono::sys_days(ymd)) + std::chrono::hours(h) + std::chrono::minutes(mi) +
         std::chrono::seconds(sec);
}

std::vector<std::string> query_terms(std::string_view q) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char c : q) {
    if (c == '"') {
      quoted = !quoted;
      continue;
    }
    if (c == ' ' && !quoted) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace

boost::json::object World::x_user(const Account& a, const std::vector<std::string>& fields) const {
  boost::json::object o{{"id", a.id}, {"name", a.display_name}, {"username", a.handle}};
  if (has(fields, "created_at")) o["created_at"] = a.created_at;
  if (has(fields, "description")) o["description"] = a.description;
  if (has(fields, "url")) o["url"] = a.url;
  if (has(fields, "profile_image_url")) o["profile_image_url"] = avatar_url(a);
  if (has(fields, "protected")) o["protected"] = a.is_protected;
  if (has(fields, "verified")) o["verified"] = a.verified;
  if (has(fields, "public_metrics")) {
    const auto tweets = std::count_if(state_.posts.begin(), state_.posts.end(), [&](const Post& p) {
      return p.platform == Platform::x && p.materialized && p.author_handle == a.handle;
    });
    o["public_metrics"] = boost::json::object{{"followers_count", a.followers},
                                              {"following_count", a.following},
                                              {"tweet_count", tweets},
                                              {"listed_count", 0},
                                              {"like_count", 0}};
  }
  if (has(fields, "entities") && !a.url.empty()) {
    const auto len = static_cast<std::int64_t>(utf8_length(a.url));
    o["entities"] = boost::json::object{
        {"url", boost::json::object{
                    {"urls", boost::json::array{boost::json::object{{"start", 0},
                                                                    {"end", len},
                                                                    {"url", a.url},
                                                                    {"expanded_url", a.url},
                                                                    {"display_url", a.url}}}}}}};
  }
  return o;
}

boost::json::object World::x_tweet(const Post& p, const std::vector<std::string>& fields) const {
  boost::json::object o{{"id", p.id},
                        {"text", p.text},
                        {"edit_history_tweet_ids", boost::json::array{boost::json::value(p.id)}}};
  const Account* author = find_account(Platform::x, p.author_handle);
  const Post* parent = p.parent_id.empty() ? nullptr : find_post(Platform::x, p.parent_id);
  if (has(fields, "created_at")) o["created_at"] = p.created_at;
  if (has(fields, "author_id") && author != nullptr) o["author_id"] = author->id;
  if (has(fields, "conversation_id")) o["conversation_id"] = p.root_id.empty() ? p.id : p.root_id;
  if (has(fields, "lang")) o["lang"] = p.lang;
  boost::json::array referenced;
  if (parent != nullptr) {
    const Account* parent_author = find_account(Platform::x, parent->author_handle);
    if (has(fields, "in_reply_to_user_id") && parent_author != nullptr)
      o["in_reply_to_user_id"] = parent_author->id;
    referenced.push_back(boost::json::object{{"type", "replied_to"}, {"id", parent->id}});
  }
  if (!p.quoted_id.empty())
    referenced.push_back(boost::json::object{{"type", "quoted"}, {"id", p.quoted_id}});
  if (has(fields, "referenced_tweets") && !referenced.empty())
    o["referenced_tweets"] = std::move(referenced);
  if (has(fields, "public_metrics")) {
    const auto replies =
        std::count_if(state_.posts.begin(), state_.posts.end(), [&](const Post& q) {
          return q.platform == Platform::x && q.materialized && q.parent_id == p.id;
        });
    const auto quotes = std::count_if(state_.posts.begin(), state_.posts.end(), [&](const Post& q) {
      return q.platform == Platform::x && q.materialized && q.quoted_id == p.id;
    });
    o["public_metrics"] = boost::json::object{
        {"retweet_count", p.repost_count},       {"reply_count", replies}, {"like_count", 0},
        {"quote_count", p.quote_count + quotes}, {"bookmark_count", 0},    {"impression_count", 0}};
  }
  if (has(fields, "entities")) {
    boost::json::array mentions;
    const std::string& text = p.text;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '@') continue;
      std::size_t j = i + 1;
      while (j < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_'))
        ++j;
      if (j == i + 1) continue;
      const std::string handle = text.substr(i + 1, j - i - 1);
      boost::json::object m{
          {"start", static_cast<std::int64_t>(utf8_length(std::string_view(text).substr(0, i)))},
          {"end", static_cast<std::int64_t>(utf8_length(std::string_view(text).substr(0, j)))},
          {"username", handle}};
      if (const Account* a = find_account(Platform::x, handle)) m["id"] = a->id;
      mentions.push_back(std::move(m));
      i = j - 1;
    }
    if (!mentions.empty()) o["entities"] = boost::json::object{{"mentions", std::move(mentions)}};
  }
  return o;
}

boost::json::object World::x_not_found(const std::string& value, const std::string& parameter,
                                       const Account* gone) const {
  const bool suspended = gone != nullptr && gone->gone_kind == GoneKind::suspended;
  return boost::json::object{
      {"value", value},
      {"detail", suspended ? "User has been suspended: [" + value + "]."
                           : "Could not find user with " + parameter + ": [" + value + "]."},
      {"title", suspended ? "Forbidden" : "Not Found Error"},
      {"resource_type", "user"},
      {"parameter", parameter},
      {"resource_id", value},
      {"type", "https://api.twitter.com/2/problems/resource-not-found"}};
}

Reply World::x_api(const Request& request, std::string_view path, double t, LogEntry& entry) {
  const std::string_view target = request.target;
  const auto qpos = target.find('?');
  const Query query(qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1));
  const auto parts = split(path, '/');
  std::string endpoint;
  std::string arg;
  if (parts.size() == 4 && parts[0] == "users" && parts[1] == "by" && parts[2] == "username") {
    endpoint = "users/by/username/:username";
    arg = url_decode(parts[3]);
  } else if (parts.size() == 2 && parts[0] == "users" && parts[1] == "by") {
    endpoint = "users/by";
  } else if (parts.size() == 2 && parts[0] == "users" && parts[1] == "search") {
    endpoint = "users/search";
  } else if (parts.size() == 3 && parts[0] == "users" &&
             (parts[2] == "tweets" || parts[2] == "mentions")) {
    endpoint = "users/:id/" + parts[2];
    arg = url_decode(parts[1]);
  } else if (parts.size() == 3 && parts[0] == "tweets" && parts[1] == "search" &&
             parts[2] == "recent") {
    endpoint = "tweets/search/recent";
  } else if (parts.size() == 3 && parts[0] == "tweets" && parts[1] == "counts" &&
             parts[2] == "recent") {
    endpoint = "tweets/counts/recent";
  } else if (parts.size() == 3 && parts[0] == "tweets" && parts[2] == "quote_tweets") {
    endpoint = "tweets/:id/quote_tweets";
    arg = url_decode(parts[1]);
  } else {
    entry.endpoint = "unknown";
    return error_reply(Platform::x, 404, "The requested resource could not be found.");
  }
  entry.endpoint = endpoint;

  auto fault = apply_fault(Platform::x, endpoint, t, entry);
  if (fault && fault->status != -1) return *fault;
  if (state_.settings.x_bearer_token.empty() ||
      request.authorization != "Bearer " + state_.settings.x_bearer_token) {
    return error_reply(Platform::x, 401, "Unauthorized");
  }
  Reply out;
  if (auto limited = rate_limit(Platform::x, endpoint, t, out, entry, true)) return *limited;

  const auto user_fields = split(query.get("user.fields").value_or(""), ',');
  const auto tweet_fields = split(query.get("tweet.fields").value_or(""), ',');
  const auto expansions = split(query.get("expansions").value_or(""), ',');
  const auto live = [&](const Account* a) { return a != nullptr && appeared(*a, t); };

  boost::json::object body;
  auto finish = [&](boost::json::object b) {
    out.body = boost::json::serialize(b);
    if (fault) apply_delivery_fault(*fault, out);
    return out;
  };

  auto page_of_tweets = [&](auto predicate, int def_max, int lo, int hi,
                            const char* token_param) -> Reply {
    int max_results = def_max;
    if (auto m = query.get("max_results")) {
      try {
        max_results = std::stoi(*m);
      } catch (const std::exception&) {
        max_results = -1;
      }
      if (max_results < lo || max_results > hi) {
        return invalid_request("max_results", *m,
                               "The `max_results` query parameter value [" + *m +
                                   "] is not between " + std::to_string(lo) + " and " +
                                   std::to_string(hi));
      }
    }
    std::optional<std::string> below;
    if (auto tok = query.get(token_param)) {
      below = from_hex(*tok);
      if (!below)
        return invalid_request(token_param, *tok,
                               "The `" + std::string(token_param) + "` query parameter value [" +
                                   *tok + "] is not valid");
    }
    const auto since = query.get("since_id");
    const auto until = query.get("until_id");
    std::vector<const Post*> list;
    for (const Post& p : state_.posts) {
      if (p.platform != Platform::x || !visible_post(p, t) || !predicate(p)) continue;
      if (since && !id_less(*since, p.id)) continue;
      if (until && !id_less(p.id, *until)) continue;
      if (below && !id_less(p.id, *below)) continue;
      list.push_back(&p);
    }
    std::sort(list.begin(), list.end(),
              [](const Post* a, const Post* b) { return id_less(b->id, a->id); });
    const bool more = list.size() > static_cast<std::size_t>(max_results);
    if (more) list.resize(static_cast<std::size_t>(max_results));
    if (list.empty())
      return finish(boost::json::object{{"meta", boost::json::object{{"result_count", 0}}}});
    boost::json::array data;
    std::vector<const Account*> users;
    std::vector<const Post*> referenced;
    auto add_user = [&](const Account* a) {
      if (a != nullptr && std::find(users.begin(), users.end(), a) == users.end())
        users.push_back(a);
    };
    for (const Post* p : list) {
      data.push_back(x_tweet(*p, tweet_fields));
      if (has(expansions, "author_id")) add_user(find_account(Platform::x, p->author_handle));
      const Post* parent = p->parent_id.empty() ? nullptr : find_post(Platform::x, p->parent_id);
      if (parent != nullptr && has(expansions, "in_reply_to_user_id"))
        add_user(find_account(Platform::x, parent->author_handle));
      // referenced_tweets.id brings the replied-to and the quoted post, as X does.
      const Post* quoted = p->quoted_id.empty() ? nullptr : find_post(Platform::x, p->quoted_id);
      for (const Post* r : {parent, quoted}) {
        if (r == nullptr || !has(expansions, "referenced_tweets.id") || !visible_post(*r, t) ||
            std::find(referenced.begin(), referenced.end(), r) != referenced.end())
          continue;
        referenced.push_back(r);
        if (has(expansions, "referenced_tweets.id.author_id"))
          add_user(find_account(Platform::x, r->author_handle));
      }
    }
    boost::json::object b{{"data", std::move(data)}};
    boost::json::object includes;
    if (!users.empty()) {
      boost::json::array u;
      for (const Account* a : users) u.push_back(x_user(*a, user_fields));
      includes["users"] = std::move(u);
    }
    if (!referenced.empty()) {
      boost::json::array tw;
      for (const Post* p : referenced) tw.push_back(x_tweet(*p, tweet_fields));
      includes["tweets"] = std::move(tw);
    }
    if (!includes.empty()) b["includes"] = std::move(includes);
    boost::json::object meta{{"result_count", static_cast<std::int64_t>(list.size())},
                             {"newest_id", list.front()->id},
                             {"oldest_id", list.back()->id}};
    if (more) meta["next_token"] = "p" + to_hex(list.back()->id);
    b["meta"] = std::move(meta);
    return finish(std::move(b));
  };

  if (endpoint == "users/by/username/:username") {
    const Account* a = find_account(Platform::x, arg);
    if (live(a) && !is_gone(*a, t))
      return finish(boost::json::object{{"data", x_user(*a, user_fields)}});
    return finish(boost::json::object{
        {"errors", boost::json::array{x_not_found(arg, "username", live(a) ? a : nullptr)}}});
  }
  if (endpoint == "users/by") {
    const auto names = query.get("usernames");
    if (!names || names->empty()) {
      return invalid_request("usernames", "", "The `usernames` query parameter can not be empty");
    }
    const auto list = split(*names, ',');
    if (list.size() > 100)
      return invalid_request("usernames", *names,
                             "The `usernames` query parameter can have at most 100 values");
    boost::json::array data;
    boost::json::array errors;
    for (const std::string& n : list) {
      const Account* a = find_account(Platform::x, n);
      if (live(a) && !is_gone(*a, t)) {
        data.push_back(x_user(*a, user_fields));
      } else {
        errors.push_back(x_not_found(n, "usernames", live(a) ? a : nullptr));
      }
    }
    boost::json::object b;
    if (!data.empty()) b["data"] = std::move(data);
    if (!errors.empty()) b["errors"] = std::move(errors);
    return finish(std::move(b));
  }
  if (endpoint == "users/search") {
    const auto q = query.get("query");
    if (!q || q->empty())
      return invalid_request("query", "", "The `query` query parameter can not be empty");
    int max_results = 100;
    if (auto m = query.get("max_results")) {
      try {
        max_results = std::stoi(*m);
      } catch (const std::exception&) {
        max_results = -1;
      }
      if (max_results < 1 || max_results > 1000) {
        return invalid_request(
            "max_results", *m,
            "The `max_results` query parameter value [" + *m + "] is not between 1 and 1000");
      }
    }
    std::size_t offset = 0;
    if (auto tok = query.get("next_token")) {
      if (tok->size() < 2 || tok->front() != 'o' ||
          tok->find_first_not_of("0123456789", 1) != std::string::npos) {
        return invalid_request(
            "next_token", *tok,
            "The `next_token` query parameter value [" + *tok + "] is not valid");
      }
      offset = std::stoul(tok->substr(1));
    }
    std::vector<const Account*> hits;
    for (const Account& a : state_.accounts) {
      if (a.platform != Platform::x || !appeared(a, t) || is_gone(a, t)) continue;
      if (contains_folded(a.handle, *q) || contains_folded(a.display_name, *q) ||
          contains_folded(a.description, *q))
        hits.push_back(&a);
    }
    boost::json::array data;
    for (std::size_t i = offset;
         i < hits.size() && data.size() < static_cast<std::size_t>(max_results); ++i) {
      data.push_back(x_user(*hits[i], user_fields));
    }
    boost::json::object meta{{"result_count", static_cast<std::int64_t>(data.size())}};
    const std::size_t next = offset + data.size();
    if (next < hits.size()) meta["next_token"] = "o" + std::to_string(next);
    boost::json::object b;
    if (!data.empty()) b["data"] = std::move(data);
    b["meta"] = std::move(meta);
    return finish(std::move(b));
  }
  if (endpoint == "users/:id/tweets" || endpoint == "users/:id/mentions") {
    const Account* a = find_account(Platform::x, arg);
    if (!live(a) || is_gone(*a, t) || a->id != arg) {
      return finish(boost::json::object{
          {"errors", boost::json::array{x_not_found(arg, "id", live(a) ? a : nullptr)}}});
    }
    const auto exclude = split(query.get("exclude").value_or(""), ',');
    if (endpoint == "users/:id/tweets") {
      return page_of_tweets(
          [&](const Post& p) {
            return p.author_handle == a->handle &&
                   !(has(exclude, "replies") && !p.parent_id.empty());
          },
          10, 5, 100, "pagination_token");
    }
    const std::string needle = "@" + model::ascii_lower(a->handle);
    return page_of_tweets(
        [&](const Post& p) {
          return p.author_handle != a->handle &&
                 model::ascii_lower(p.text).find(needle) != std::string::npos;
        },
        10, 5, 100, "pagination_token");
  }
  if (endpoint == "tweets/:id/quote_tweets") {
    const Post* quoted = find_post(Platform::x, arg);
    if (quoted == nullptr || !visible_post(*quoted, t)) {
      return finish(boost::json::object{
          {"errors", boost::json::array{boost::json::object{
                         {"value", arg},
                         {"detail", "Could not find tweet with id: [" + arg + "]."},
                         {"title", "Not Found Error"},
                         {"resource_type", "tweet"},
                         {"parameter", "id"},
                         {"resource_id", arg},
                         {"type", "https://api.twitter.com/2/problems/resource-not-found"}}}}});
    }
    return page_of_tweets([&](const Post& p) { return p.quoted_id == arg; }, 10, 10, 100,
                          "pagination_token");
  }
  // tweets/search/recent and tweets/counts/recent
  const auto q = query.get("query");
  if (!q || q->empty())
    return invalid_request("query", "", "The `query` query parameter can not be empty");
  if (q->size() > 512)
    return invalid_request("query", *q, "The `query` query parameter is too long");
  const auto terms = query_terms(*q);
  auto matches = [&](const Post& p) {
    for (std::string term : terms) {
      bool negate = false;
      if (term.size() > 1 && term.front() == '-') {
        negate = true;
        term.erase(0, 1);
      }
      bool hit = true;
      const Post* parent = p.parent_id.empty() ? nullptr : find_post(Platform::x, p.parent_id);
      if (term.rfind("conversation_id:", 0) == 0) {
        const std::string id = term.substr(16);
        hit = (p.root_id.empty() ? p.id : p.root_id) == id;
      } else if (term.rfind("in_reply_to_tweet_id:", 0) == 0) {
        hit = p.parent_id == term.substr(21);
      } else if (term.rfind("from:", 0) == 0) {
        hit = model::ascii_lower(p.author_handle) == model::ascii_lower(term.substr(5));
      } else if (term.rfind("to:", 0) == 0) {
        hit = parent != nullptr &&
              model::ascii_lower(parent->author_handle) == model::ascii_lower(term.substr(3));
      } else if (term == "is:reply") {
        hit = parent != nullptr || !p.parent_id.empty();
      } else if (term == "is:retweet" || term == "is:quote") {
        hit = false;
      } else if (term.rfind("lang:", 0) == 0) {
        hit = p.lang == term.substr(5);
      } else if (term.rfind("has:", 0) == 0) {
        hit = false;
      } else {
        hit = contains_folded(p.text, term);
      }
      if (hit == negate) return false;
    }
    return true;
  };
  if (endpoint == "tweets/counts/recent") {
    // Counts of what tweets/search/recent would return, per minute, hour or day, in
    // [start_time, end_time) (end_time defaults to 30 s ago, start_time to 7 days before it).
    const auto granularity = query.get("granularity").value_or("hour");
    std::chrono::seconds step{3600};
    if (granularity == "minute") {
      step = std::chrono::seconds(60);
    } else if (granularity == "day") {
      step = std::chrono::seconds(86400);
    } else if (granularity != "hour") {
      return invalid_request("granularity", granularity,
                             "The `granularity` query parameter value [" + granularity +
                                 "] is not one of [minute,hour,day]");
    }
    const WallTime now = start_ + std::chrono::milliseconds(static_cast<std::int64_t>(t * 1000));
    WallTime end = now - std::chrono::seconds(30);
    if (auto e = query.get("end_time")) {
      auto parsed = parse_x_time(*e);
      if (!parsed || *parsed > now)
        return invalid_request("end_time", *e, "Invalid 'end_time':'" + *e + "'.");
      end = *parsed;
    }
    WallTime begin = end - std::chrono::hours(24 * 7);
    if (auto b = query.get("start_time")) {
      auto parsed = parse_x_time(*b);
      if (!parsed || *parsed >= end || *parsed < now - std::chrono::hours(24 * 7))
        return invalid_request("start_time", *b, "Invalid 'start_time':'" + *b + "'.");
      begin = *parsed;
    }
    boost::json::array data;
    std::int64_t total = 0;
    for (WallTime from =
             std::chrono::floor<std::chrono::seconds>(begin) -
             (std::chrono::floor<std::chrono::seconds>(begin).time_since_epoch() % step);
         from < end; from += step) {
      const WallTime to = from + step;
      std::int64_t n = 0;
      for (const Post& p : state_.posts) {
        if (p.platform != Platform::x || !visible_post(p, t) || !matches(p)) continue;
        if (p.created_wall >= std::max(from, begin) && p.created_wall < std::min(to, end)) ++n;
      }
      total += n;
      data.push_back(boost::json::object{{"end", model::iso8601_utc(to, true)},
                                         {"start", model::iso8601_utc(from, true)},
                                         {"tweet_count", n}});
    }
    return finish(boost::json::object{{"data", std::move(data)},
                                      {"meta", boost::json::object{{"total_tweet_count", total}}}});
  }
  return page_of_tweets(matches, 10, 10, 100, "next_token");
}

}  // namespace mamori::fakeplatform
