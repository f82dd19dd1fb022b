#include "daemon/store/observation_store.h"

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

}  // namespace

StoredBatch store_observations(pqxx::connection& c,
                               const std::vector<model::Observation>& observations,
                               const std::optional<CursorUpdate>& cursor) {
  StoredBatch batch;
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
      if (!r.empty()) batch.new_posts.push_back(*post);
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
      // An account seen again is no longer gone.
      tx.exec_params("DELETE FROM observed_gone WHERE platform = $1 AND account_ref IN ($2, $3)",
                     platform, p->account_id, p->handle);
    } else if (const auto* g = std::get_if<model::AccountGone>(&o)) {
      const pqxx::result r = tx.exec_params(
          "INSERT INTO observed_gone (platform, account_ref, reason, observed_at)"
          " VALUES ($1, $2, $3, to_timestamp($4::double precision)) ON CONFLICT DO NOTHING "
          "RETURNING 1",
          std::string(model::to_string(g->platform)), g->account_ref, g->reason,
          epoch_seconds(g->observed_at));
      if (!r.empty()) batch.newly_gone.push_back(*g);
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
