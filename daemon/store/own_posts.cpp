#include "daemon/store/own_posts.h"

namespace mamori::store {

const char* const kPostColumns =
    "p.platform, p.post_id, p.author_id, p.author_handle, p.text, extract(epoch from "
    "p.created_at)::double precision"
    " AS created_epoch, p.reposted_post_id, p.quoted_post_id, array_to_string(p.urls, E'\\n') AS "
    "urls_text, p.client,"
    " p.repost_count, p.quote_count, p.reply_count";

model::Post post_from_row(const pqxx::row& row) {
  model::Post p;
  p.platform = model::platform_from_string(row["platform"].c_str()).value_or(model::Platform::x);
  p.post_id = row["post_id"].c_str();
  p.author_id = row["author_id"].c_str();
  p.author_handle = row["author_handle"].c_str();
  p.text = row["text"].c_str();
  p.created_at = model::TimePoint(std::chrono::milliseconds(
      static_cast<long long>(row["created_epoch"].as<double>() * 1000.0)));
  if (!row["reposted_post_id"].is_null()) p.reposted_post_id = row["reposted_post_id"].c_str();
  if (!row["quoted_post_id"].is_null()) p.quoted_post_id = row["quoted_post_id"].c_str();
  // urls as a text[] literal: {a,"b c"}; the detectors also scan the text, so a plain split is
  // enough.
  std::string urls = row["urls_text"].c_str();
  std::string cur;
  for (char ch : urls) {
    if (ch == '\n') {
      if (!cur.empty()) p.urls.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) p.urls.push_back(cur);
  p.client = row["client"].c_str();
  p.repost_count = row["repost_count"].as<long long>(0);
  p.quote_count = row["quote_count"].as<long long>(0);
  p.reply_count = row["reply_count"].as<long long>(0);
  return p;
}

std::optional<OwnPost> find_own_post(pqxx::connection& c, model::Platform platform,
                                     const std::string& post_id) {
  pqxx::work tx(c);
  const pqxx::result r = tx.exec_params(std::string("SELECT ") + kPostColumns +
                                            ", a.handle AS official_handle FROM observed_posts p "
                                            "JOIN official_accounts a ON a.platform = p.platform"
                                            " AND (a.account_id = p.author_id OR (p.author_handle "
                                            "<> '' AND lower(a.handle) = lower(p.author_handle)))"
                                            // Another municipality's post is not found by
                                            // staff scoped away from it (055_municipalities).
                                            " WHERE p.platform = $1 AND p.post_id = $2"
                                            " AND mamori_in_scope(a.municipality) LIMIT 1",
                                        std::string(model::to_string(platform)), post_id);
  tx.commit();
  if (r.empty()) return std::nullopt;
  return OwnPost{post_from_row(r[0]), r[0]["official_handle"].c_str()};
}

}  // namespace mamori::store
