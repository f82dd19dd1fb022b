#include "daemon/store/observation_store.h"

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "model/text.h"

namespace mamori::store {
namespace {

std::string epoch_seconds(model::TimePoint t) {
  const auto ms = t.time_since_epoch().count();
  return std::to_string(ms / 1000) + "." + std::to_string(1000 + ms % 1000).substr(1);
}

std::string opt_epoch(const std::optional<model::TimePoint>& t) {
  return t ? epoch_seconds(*t) : "";
}

std::string opt_int(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : "";
}

std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += i ? ",\"" : "\"";
    for (char ch : items[i]) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + "}";
}

const std::string& or_empty(const std::optional<std::string>& s) {
  static const std::string empty;
  return s ? *s : empty;
}

std::string bool_array(const std::vector<bool>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += items[i] ? 't' : 'f';
  }
  return out + "}";
}

}  // namespace

GoneRows gone_rows(const std::vector<model::Observation>& observations,
                   const std::optional<GoneFilter>& filter) {
  std::set<std::string> always;
  if (filter) {
    for (const auto& ref : filter->always) always.insert(model::ascii_lower(ref));
  }
  std::vector<std::string> platforms, refs, reasons, at;
  std::vector<bool> keep;
  for (const auto& o : observations) {
    const auto* g = std::get_if<model::AccountGone>(&o);
    if (g == nullptr) continue;
    platforms.emplace_back(model::to_string(g->platform));
    refs.push_back(g->account_ref);
    reasons.push_back(g->reason);
    at.push_back(epoch_seconds(g->observed_at));
    keep.push_back(!filter || always.count(model::ascii_lower(g->account_ref)) > 0);
  }
  GoneRows rows;
  rows.count = refs.size();
  rows.platforms = text_array(platforms);
  rows.refs = text_array(refs);
  rows.reasons = text_array(reasons);
  rows.observed_at = text_array(at);
  rows.always = bool_array(keep);
  return rows;
}

StoredBatch store_observations(pqxx::connection& c,
                               const std::vector<model::Observation>& observations,
                               const std::optional<CursorUpdate>& cursor,
                               const std::string& unjudged_account,
                               const std::optional<GoneFilter>& gone_filter) {
  StoredBatch batch;
  // Profiles seen (no longer gone) and absent accounts go in one statement each, whatever the
  // batch's size: a look-alike round's batch is up to 100 handles (X users/by).
  std::vector<std::string> seen_platforms, seen_refs;
  pqxx::work tx(c);
  for (const auto& o : observations) {
    if (const auto* post = std::get_if<model::Post>(&o)) {
      const pqxx::result r = tx.exec_params(
          "INSERT INTO observed_posts (platform, post_id, author_id, author_handle, text, "
          "created_at,"
          " in_reply_to_post_id, in_reply_to_account_id, conversation_root_id, quoted_post_id,"
          " reposted_post_id, urls, client, lang, reply_count, repost_count, like_count, "
          "quote_count,"
          " observed_at) VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision),"
          " NULLIF($7, ''), NULLIF($8, ''), NULLIF($9, ''), NULLIF($10, ''), NULLIF($11, ''),"
          " $12::text[], $13, $14, $15, $16, $17, $18, to_timestamp($19::double precision))"
          " ON CONFLICT (platform, post_id) DO NOTHING RETURNING post_id",
          std::string(model::to_string(post->platform)), post->post_id, post->author_id,
          post->author_handle, post->text, epoch_seconds(post->created_at),
          or_empty(post->in_reply_to_post_id), or_empty(post->in_reply_to_account_id),
          or_empty(post->conversation_root_id), or_empty(post->quoted_post_id),
          or_empty(post->reposted_post_id), text_array(post->urls), post->client, post->lang,
          post->reply_count, post->repost_count, post->like_count, post->quote_count,
          epoch_seconds(post->observed_at));
      if (!r.empty()) {
        batch.new_posts.push_back(*post);
        if (!unjudged_account.empty())
          tx.exec_params(
              "INSERT INTO unjudged_posts (platform, post_id, account) VALUES ($1, $2, $3)"
              " ON CONFLICT DO NOTHING",
              std::string(model::to_string(post->platform)), post->post_id, unjudged_account);
      }
    } else if (const auto* p = std::get_if<model::ProfileSnapshot>(&o)) {
      const std::string platform(model::to_string(p->platform));
      // Same visible fields as the latest snapshot: just note that it was seen again.
      const pqxx::result same = tx.exec_params(
          "UPDATE observed_profiles SET last_seen_at = to_timestamp($9::double precision),"
          " followers_count = NULLIF($10, '')::bigint, posts_count = NULLIF($11, '')::bigint"
          " WHERE id = (SELECT id FROM observed_profiles WHERE platform = $1 AND account_id = $2"
          "   ORDER BY observed_at DESC, id DESC LIMIT 1)"
          " AND handle = $3 AND display_name = $4 AND description = $5 AND url = $6 AND avatar_url "
          "= $7"
          " AND verified = $8 RETURNING id",
          platform, p->account_id, p->handle, p->display_name, p->description, p->url,
          p->avatar_url, p->verified, epoch_seconds(p->observed_at), opt_int(p->followers_count),
          opt_int(p->posts_count));
      if (!same.empty()) {
        batch.unchanged_profiles.push_back(*p);
      } else {
        tx.exec_params(
            "INSERT INTO observed_profiles (platform, account_id, handle, display_name, "
            "description, url,"
            " avatar_url, account_created_at, followers_count, following_count, posts_count, "
            "verified,"
            " observed_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7,"
            " to_timestamp(NULLIF($8, '')::double precision), NULLIF($9, '')::bigint, NULLIF($10, "
            "'')::bigint,"
            " NULLIF($11, '')::bigint, $12, to_timestamp($13::double precision), "
            "to_timestamp($13::double precision))",
            platform, p->account_id, p->handle, p->display_name, p->description, p->url,
            p->avatar_url, opt_epoch(p->created_at), opt_int(p->followers_count),
            opt_int(p->following_count), opt_int(p->posts_count), p->verified,
            epoch_seconds(p->observed_at));
        batch.changed_profiles.push_back(*p);
      }
      // An account seen again is no longer gone (below, with the batch's other profiles).
      for (const auto* ref : {&p->account_id, &p->handle}) {
        seen_platforms.push_back(platform);
        seen_refs.push_back(*ref);
      }
    }
  }
  if (!seen_refs.empty()) {
    tx.exec_params(
        "DELETE FROM observed_gone g USING unnest($1::text[], $2::text[]) AS s(platform, ref)"
        " WHERE g.platform = s.platform AND g.account_ref = s.ref",
        text_array(seen_platforms), text_array(seen_refs));
  }
  if (const GoneRows rows = gone_rows(observations, gone_filter); rows.count > 0) {
    // Stored where the row is wanted without a sighting, or the account was seen before (a
    // look-alike that existed and is gone now); RETURNING the rows that are new. Element order
    // is kept (WITH ORDINALITY) so newly_gone is in the batch's order.
    const pqxx::result r = tx.exec_params(
        "INSERT INTO observed_gone (platform, account_ref, reason, observed_at)"
        " SELECT g.platform, g.ref, g.reason, to_timestamp(g.at::double precision)"
        " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[])"
        "   WITH ORDINALITY AS g(platform, ref, reason, at, always, n)"
        " WHERE g.always OR EXISTS (SELECT 1 FROM observed_profiles p"
        "   WHERE p.platform = g.platform AND (p.account_id = g.ref"
        "     OR lower(p.handle) = lower(g.ref)))"
        " ORDER BY g.n ON CONFLICT DO NOTHING RETURNING platform, account_ref",
        rows.platforms, rows.refs, rows.reasons, rows.observed_at, rows.always);
    std::set<std::pair<std::string, std::string>> inserted;
    for (const auto& row : r) inserted.emplace(row[0].as<std::string>(), row[1].as<std::string>());
    for (const auto& o : observations) {
      const auto* g = std::get_if<model::AccountGone>(&o);
      if (g == nullptr) continue;
      if (inserted.erase({std::string(model::to_string(g->platform)), g->account_ref}) > 0)
        batch.newly_gone.push_back(*g);
    }
  }
  if (cursor) {
    tx.exec_params(
        "INSERT INTO poll_cursors (platform, account_key, job, cursor) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (platform, account_key, job) DO UPDATE SET cursor = EXCLUDED.cursor, "
        "updated_at = now()",
        std::string(model::to_string(cursor->platform)), cursor->account_key, cursor->job,
        cursor->cursor);
  }
  tx.commit();
  return batch;
}

void mark_judged(pqxx::connection& c, model::Platform platform,
                 const std::vector<std::string>& post_ids) {
  if (post_ids.empty()) return;
  pqxx::work tx(c);
  boost::json::array ids;
  for (const auto& id : post_ids) ids.emplace_back(id);
  tx.exec_params(
      "DELETE FROM unjudged_posts WHERE platform = $1"
      " AND post_id IN (SELECT jsonb_array_elements_text($2::jsonb))",
      std::string(model::to_string(platform)), boost::json::serialize(ids));
  tx.commit();
}

void mark_judged(pqxx::work& tx, model::Platform platform, const std::string& post_id) {
  tx.exec_params("DELETE FROM unjudged_posts WHERE platform = $1 AND post_id = $2",
                 std::string(model::to_string(platform)), post_id);
}

bool still_unjudged(pqxx::connection& c, model::Platform platform, const std::string& post_id) {
  pqxx::read_transaction tx(c);
  return !tx.exec_params("SELECT 1 FROM unjudged_posts WHERE platform = $1 AND post_id = $2",
                         std::string(model::to_string(platform)), post_id)
              .empty();
}

std::vector<model::Post> load_unjudged(pqxx::connection& c, model::Platform platform,
                                       const std::string& account) {
  pqxx::read_transaction tx(c);
  std::vector<model::Post> out;
  for (const auto& r : tx.exec_params(
           "SELECT p.post_id, p.author_id, p.author_handle, p.text,"
           " extract(epoch FROM p.created_at)::float8, coalesce(p.in_reply_to_post_id, ''),"
           " coalesce(p.in_reply_to_account_id, ''), coalesce(p.conversation_root_id, ''),"
           " coalesce(p.quoted_post_id, ''), coalesce(p.reposted_post_id, ''),"
           " array_to_string(p.urls, E'\\n'), p.client, p.lang,"
           " extract(epoch FROM p.observed_at)::float8"
           " FROM unjudged_posts u JOIN observed_posts p"
           "   ON p.platform = u.platform AND p.post_id = u.post_id"
           " WHERE u.platform = $1 AND u.account = $2 ORDER BY u.stored_at, p.created_at",
           std::string(model::to_string(platform)), account)) {
    const auto at = [](double seconds) {
      return model::TimePoint(std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0)));
    };
    const auto opt = [](const pqxx::field& f) {
      std::string v = f.as<std::string>();
      return v.empty() ? std::nullopt : std::optional<std::string>(std::move(v));
    };
    model::Post p;
    p.platform = platform;
    p.post_id = r[0].as<std::string>();
    p.author_id = r[1].as<std::string>();
    p.author_handle = r[2].as<std::string>();
    p.text = r[3].as<std::string>();
    p.created_at = at(r[4].as<double>());
    p.in_reply_to_post_id = opt(r[5]);
    p.in_reply_to_account_id = opt(r[6]);
    p.conversation_root_id = opt(r[7]);
    p.quoted_post_id = opt(r[8]);
    p.reposted_post_id = opt(r[9]);
    std::string urls = r[10].as<std::string>();
    for (std::size_t start = 0; start < urls.size();) {
      const std::size_t end = std::min(urls.find('\n', start), urls.size());
      if (end > start) p.urls.push_back(urls.substr(start, end - start));
      start = end + 1;
    }
    p.client = r[11].as<std::string>();
    p.lang = r[12].as<std::string>();
    p.observed_at = at(r[13].as<double>());
    out.push_back(std::move(p));
  }
  return out;
}

std::map<CursorKey, std::string> load_cursors(pqxx::connection& c) {
  std::map<CursorKey, std::string> out;
  pqxx::work tx(c);
  for (const auto& row : tx.exec("SELECT platform, account_key, job, cursor FROM poll_cursors")) {
    out[{row[0].c_str(), row[1].c_str(), row[2].c_str()}] = row[3].c_str();
  }
  return out;
}

void remember_account_id(pqxx::connection& c, model::Platform platform, const std::string& handle,
                         const std::string& account_id) {
  pqxx::work tx(c);
  tx.exec_params(
      "UPDATE official_accounts SET account_id = $3, updated_at = now()"
      " WHERE platform = $1 AND lower(handle) = lower($2) AND account_id IS DISTINCT FROM $3",
      std::string(model::to_string(platform)), handle, account_id);
  tx.commit();
}

std::map<std::pair<std::string, std::string>, std::string> load_account_ids(pqxx::connection& c) {
  std::map<std::pair<std::string, std::string>, std::string> out;
  pqxx::work tx(c);
  for (const auto& row : tx.exec("SELECT platform, handle, account_id FROM official_accounts WHERE "
                                 "account_id IS NOT NULL")) {
    out[{row[0].c_str(), row[1].c_str()}] = row[2].c_str();
  }
  return out;
}

std::vector<std::string> recent_own_posts(pqxx::connection& c, model::Platform platform,
                                          const std::string& author_id, int hours, int limit) {
  std::vector<std::string> out;
  pqxx::work tx(c);
  const pqxx::result r = tx.exec_params(
      "SELECT post_id FROM observed_posts WHERE platform = $1 AND author_id = $2"
      " AND created_at > now() - make_interval(hours => $3) AND reposted_post_id IS NULL"
      " ORDER BY created_at DESC LIMIT $4",
      std::string(model::to_string(platform)), author_id, hours, limit);
  for (const auto& row : r) out.emplace_back(row[0].c_str());
  return out;
}

}  // namespace mamori::store
