#include "daemon/integrity/integrity_store.h"

#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <utility>
#include <vector>

#include "daemon/incidents/incident_store.h"
#include "daemon/store/own_posts.h"
#include "model/text.h"

namespace mamori::integrity {
namespace {

namespace di = detectors::integrity;
using incidents::ActionError;
using store::kPostColumns;
using store::post_from_row;

std::string epoch_seconds(model::TimePoint t) {
  const auto ms = t.time_since_epoch().count();
  const long long s = ms / 1000;
  long long r = ms % 1000;
  if (r < 0) r += 1000;
  return std::to_string(ms < 0 && r ? s - 1 : s) + "." + std::to_string(1000 + r).substr(1);
}

model::TimePoint from_epoch(double seconds) {
  return model::TimePoint(std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0)));
}

std::string platform_name(model::Platform p) {
  return std::string(model::to_string(p));
}

constexpr const char* kIso = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'";
std::string iso(const std::string& column) {
  return "to_char(" + column + " AT TIME ZONE 'UTC', " + kIso + ")";
}

std::optional<std::uint64_t> parse_phash(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  std::uint64_t v = 0;
  if (std::sscanf(f.c_str(), "%16" SCNx64, &v) != 1) return std::nullopt;
  return v;
}

std::string phash_text(const std::optional<std::uint64_t>& v) {
  if (!v) return "";
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, *v);
  return buf;
}

void save_baseline(pqxx::work& tx, const std::string& handle_key, const di::AccountBaseline& b,
                   const std::string& by) {
  tx.exec_params(
      "INSERT INTO integrity_baselines (platform, handle, account_id, shown_handle, display_name, "
      "description, url,"
      " avatar_url, avatar_phash, verified, approved_at, approved_by)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULLIF($9, ''), $10, now(), $11)"
      " ON CONFLICT (platform, handle) DO UPDATE SET account_id = EXCLUDED.account_id,"
      " shown_handle = EXCLUDED.shown_handle, display_name = EXCLUDED.display_name,"
      " description = EXCLUDED.description, url = EXCLUDED.url, avatar_url = EXCLUDED.avatar_url,"
      " avatar_phash = EXCLUDED.avatar_phash, verified = EXCLUDED.verified, approved_at = now(),"
      " approved_by = EXCLUDED.approved_by",
      platform_name(b.platform), handle_key, b.account_id, b.handle, b.display_name, b.description,
      b.url, b.avatar_url, phash_text(b.avatar_phash), b.verified, by);
}

std::optional<di::AccountBaseline> load_baseline(pqxx::work& tx, model::Platform platform,
                                                 const std::string& handle_key, bool for_update) {
  const pqxx::result r =
      tx.exec_params(std::string("SELECT account_id, shown_handle, display_name, description, url, "
                                 "avatar_url, avatar_phash, verified"
                                 " FROM integrity_baselines WHERE platform = $1 AND handle = $2") +
                         (for_update ? " FOR UPDATE" : ""),
                     platform_name(platform), handle_key);
  if (r.empty()) return std::nullopt;
  di::AccountBaseline b;
  b.platform = platform;
  b.account_id = r[0][0].c_str();
  b.handle = r[0][1].c_str();
  b.display_name = r[0][2].c_str();
  b.description = r[0][3].c_str();
  b.url = r[0][4].c_str();
  b.avatar_url = r[0][5].c_str();
  b.avatar_phash = parse_phash(r[0][6]);
  b.verified = r[0][7].as<bool>();
  return b;
}

}  // namespace

ProfileCheck check_profile(pqxx::connection& c, const std::string& handle_key,
                           const model::ProfileSnapshot& observed, model::TimePoint now,
                           std::optional<std::uint64_t> avatar_phash,
                           const di::DiffOptions& diff_options) {
  ProfileCheck out;
  pqxx::work tx(c);
  auto baseline = load_baseline(tx, observed.platform, handle_key, true);
  if (!baseline) {
    out.first_baseline = true;
    out.baseline = di::baseline_from(observed, avatar_phash);
    save_baseline(tx, handle_key, out.baseline, "system:first_observation");
    tx.commit();
    return out;
  }
  out.baseline = *baseline;
  const auto changes = di::diff(*baseline, observed, avatar_phash, diff_options);
  const bool avatar_changed = std::any_of(changes.begin(), changes.end(), [](const auto& ch) {
    return ch.field == di::ProfileField::avatar;
  });
  if (avatar_phash && !avatar_changed &&
      (!baseline->avatar_phash || baseline->avatar_url != observed.avatar_url)) {
    // The same picture (or the first hash of the approved one): the baseline follows the icon's
    // URL, which CDNs change without the picture changing.
    tx.exec_params(
        "UPDATE integrity_baselines SET avatar_url = $3, avatar_phash = $4 WHERE platform = $1"
        " AND handle = $2",
        platform_name(observed.platform), handle_key, observed.avatar_url,
        phash_text(avatar_phash));
    baseline->avatar_url = observed.avatar_url;  // kept if announced changes move it below
    baseline->avatar_phash = avatar_phash;
  }
  if (changes.empty()) {
    tx.commit();
    return out;
  }
  std::vector<di::RegisteredChange> registered;
  for (const auto& row : tx.exec_params(
           "SELECT id, field, value, extract(epoch from valid_from)::double precision,"
           " extract(epoch from valid_until)::double precision FROM integrity_registered_changes"
           " WHERE platform = $1 AND handle = $2 AND applied_at IS NULL AND valid_until >= now() "
           "ORDER BY id",
           platform_name(observed.platform), handle_key)) {
    const auto field = di::profile_field_from_string(row[1].c_str());
    if (!field) continue;
    registered.push_back({row[0].as<long long>(), *field, row[2].c_str(),
                          from_epoch(row[3].as<double>()), from_epoch(row[4].as<double>())});
  }
  di::AccountBaseline moved = *baseline;
  for (const auto& ch : changes) {
    if (const auto* reg = di::matching_registration(ch, registered, now)) {
      di::apply(moved, ch);
      tx.exec_params("UPDATE integrity_registered_changes SET applied_at = now() WHERE id = $1",
                     reg->id);
      tx.exec_params(
          "INSERT INTO integrity_observed_changes (platform, handle, field, before_value, "
          "after_value, observed_at,"
          " status, registration_id, resolved_by, resolved_at)"
          " VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision), 'registered', $7, $8, "
          "now())",
          platform_name(observed.platform), handle_key, std::string(di::to_string(ch.field)),
          ch.before, ch.after, epoch_seconds(observed.observed_at), reg->id,
          "registration:" + std::to_string(reg->id));
      out.registered.push_back(ch);
      continue;
    }
    const pqxx::result r = tx.exec_params(
        "INSERT INTO integrity_observed_changes (platform, handle, field, before_value, "
        "after_value, observed_at)"
        " VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision))"
        " ON CONFLICT (platform, handle, field, after_value) WHERE status = 'open' DO NOTHING "
        "RETURNING id",
        platform_name(observed.platform), handle_key, std::string(di::to_string(ch.field)),
        ch.before, ch.after, epoch_seconds(observed.observed_at));
    if (!r.empty()) {
      out.unexpected.push_back(ch);
      out.unexpected_ids.push_back(r[0][0].as<long long>());
    }
  }
  if (!out.registered.empty()) {
    if (moved.account_id.empty()) moved.account_id = observed.account_id;
    save_baseline(tx, handle_key, moved, "registration");
  }
  tx.commit();
  return out;
}

void link_changes(pqxx::work& tx, const std::vector<long long>& change_ids, long long incident_id) {
  for (long long id : change_ids) {
    tx.exec_params("UPDATE integrity_observed_changes SET incident_id = $2 WHERE id = $1", id,
                   incident_id);
  }
}

boost::json::object list_changes(pqxx::connection& c, const std::string& status, int limit) {
  pqxx::work tx(c);
  const pqxx::result r = tx.exec_params(
      "SELECT id, platform, handle, field, before_value, after_value, " + iso("observed_at") +
          ", status, incident_id, resolved_by, " + iso("resolved_at") +
          " FROM integrity_observed_changes WHERE ($1 = '' OR status = $1)"
          " AND mamori_in_scope(mamori_account_municipality(platform, handle)) ORDER BY "
          "observed_at "
          "DESC, id DESC LIMIT $2",
      status, limit);
  boost::json::array changes;
  for (const auto& row : r) {
    const auto field = di::profile_field_from_string(row[3].c_str());
    boost::json::object o{
        {"id", row[0].as<long long>()},
        {"platform", row[1].c_str()},
        {"handle", row[2].c_str()},
        {"field", row[3].c_str()},
        {"field_label", field ? std::string(di::field_label(*field)) : std::string(row[3].c_str())},
        {"before", row[4].c_str()},
        {"after", row[5].c_str()},
        {"observed_at", row[6].c_str()},
        {"status", row[7].c_str()}};
    o["description"] =
        field ? di::describe({*field, row[4].c_str(), row[5].c_str()}) : std::string();
    o["incident_id"] =
        row[8].is_null() ? boost::json::value(nullptr) : boost::json::value(row[8].as<long long>());
    o["resolved_by"] =
        row[9].is_null() ? boost::json::value(nullptr) : boost::json::value(row[9].c_str());
    o["resolved_at"] =
        row[10].is_null() ? boost::json::value(nullptr) : boost::json::value(row[10].c_str());
    changes.push_back(std::move(o));
  }
  tx.commit();
  return boost::json::object{{"changes", std::move(changes)}};
}

OpenChange lock_open_change(pqxx::work& tx, long long id) {
  const pqxx::result r = tx.exec_params(
      "SELECT platform, handle, field, after_value, status, incident_id FROM "
      "integrity_observed_changes"
      " WHERE id = $1 FOR UPDATE",
      id);
  if (r.empty()) throw ActionError(404, "変更 " + std::to_string(id) + " はありません");
  if (std::string(r[0][4].c_str()) != "open") {
    throw ActionError(409,
                      "この変更は既に処理されています（" + std::string(r[0][4].c_str()) + "）");
  }
  OpenChange out{r[0][0].c_str(), r[0][1].c_str(), r[0][2].c_str(), r[0][3].c_str(), {}};
  if (!r[0][5].is_null()) out.incident_id = r[0][5].as<long long>();
  return out;
}

boost::json::object accept_change(pqxx::connection& c, long long id, const std::string& actor) {
  pqxx::work tx(c);
  const OpenChange change = lock_open_change(tx, id);
  const auto platform = model::platform_from_string(change.platform).value_or(model::Platform::x);
  const std::string& handle = change.handle;
  const auto field = di::profile_field_from_string(change.field);
  if (!field) throw ActionError(409, "不明な項目です: " + change.field);
  auto b = load_baseline(tx, platform, handle, true);
  if (!b) throw ActionError(409, "このアカウントの基準がありません");
  di::apply(*b, {*field, "", change.after_value});
  save_baseline(tx, handle, *b, actor);
  tx.exec_params(
      "UPDATE integrity_observed_changes SET status = 'accepted', resolved_by = $2, resolved_at = "
      "now() WHERE id = $1",
      id, actor);
  // Older open changes of the same field are replaced by this one.
  tx.exec_params(
      "UPDATE integrity_observed_changes SET status = 'superseded', resolved_by = $4, resolved_at "
      "= now()"
      " WHERE platform = $1 AND handle = $2 AND field = $3 AND status = 'open'",
      platform_name(platform), handle, std::string(di::to_string(*field)), actor);
  if (change.incident_id) {
    const std::string message =
        std::string(di::field_label(*field)) + "の変更を正規の変更として承認し、基準を更新しました";
    tx.exec_params(
        "INSERT INTO incident_timeline (incident_id, actor, kind, message, detail)"
        " VALUES ($1, $2, 'note', $3, jsonb_build_object('integrity_change_id', $4::bigint))",
        *change.incident_id, actor, message, id);
  }
  tx.commit();
  boost::json::object out{{"id", id},
                          {"status", "accepted"},
                          {"platform", platform_name(platform)},
                          {"handle", handle},
                          {"field", std::string(di::to_string(*field))}};
  return out;
}

long long register_change(pqxx::connection& c, const Registration& reg, const std::string& actor) {
  pqxx::work tx(c);
  const pqxx::result acc = tx.exec_params(
      "SELECT 1 FROM official_accounts WHERE platform = $1 AND lower(handle) = lower($2) AND "
      "active",
      platform_name(reg.platform), reg.handle);
  if (acc.empty()) throw ActionError(404, "公式アカウント @" + reg.handle + " は設定にありません");
  const pqxx::result r = tx.exec_params(
      "INSERT INTO integrity_registered_changes (platform, handle, field, value, valid_from, "
      "valid_until, note,"
      " registered_by) VALUES ($1, $2, $3, $4, to_timestamp($5::double precision), "
      "to_timestamp($6::double precision),"
      " $7, $8) RETURNING id",
      platform_name(reg.platform), model::ascii_lower(reg.handle),
      std::string(di::to_string(reg.field)), reg.value, epoch_seconds(reg.valid_from),
      epoch_seconds(reg.valid_until), reg.note, actor);
  tx.commit();
  return r[0][0].as<long long>();
}

boost::json::object list_registrations(pqxx::connection& c) {
  pqxx::work tx(c);
  boost::json::array out;
  for (const auto& row :
       tx.exec("SELECT id, platform, handle, field, value, " + iso("valid_from") + ", " +
               iso("valid_until") + ", note, registered_by, " + iso("registered_at") + ", " +
               iso("applied_at") +
               " FROM integrity_registered_changes"
               " WHERE mamori_in_scope(mamori_account_municipality(platform, handle))"
               " ORDER BY id DESC LIMIT 200")) {
    boost::json::object o{{"id", row[0].as<long long>()},    {"platform", row[1].c_str()},
                          {"handle", row[2].c_str()},        {"field", row[3].c_str()},
                          {"value", row[4].c_str()},         {"valid_from", row[5].c_str()},
                          {"valid_until", row[6].c_str()},   {"note", row[7].c_str()},
                          {"registered_by", row[8].c_str()}, {"registered_at", row[9].c_str()}};
    o["applied_at"] =
        row[10].is_null() ? boost::json::value(nullptr) : boost::json::value(row[10].c_str());
    out.push_back(std::move(o));
  }
  tx.commit();
  return boost::json::object{{"registrations", std::move(out)}};
}

AccountObservations load_account_observations(pqxx::connection& c, model::Platform platform,
                                              const std::string& handle, int post_limit) {
  AccountObservations out;
  pqxx::work tx(c);
  const std::string p = platform_name(platform);
  // The account id learned by the poller; else the latest snapshot under that handle.
  const pqxx::result id = tx.exec_params(
      "SELECT coalesce((SELECT account_id FROM official_accounts WHERE platform = $1 AND "
      "lower(handle) = lower($2)),"
      " (SELECT account_id FROM observed_profiles WHERE platform = $1 AND lower(handle) = lower($2)"
      "  ORDER BY observed_at DESC LIMIT 1))",
      p, handle);
  if (id.empty() || id[0][0].is_null()) {
    tx.commit();
    return out;
  }
  const std::string account_id = id[0][0].c_str();
  const pqxx::result prof = tx.exec_params(
      "SELECT account_id, handle, display_name, description, url, avatar_url, verified,"
      " extract(epoch from last_seen_at)::double precision FROM observed_profiles WHERE platform = "
      "$1 AND account_id = $2"
      " ORDER BY observed_at DESC, id DESC LIMIT 1",
      p, account_id);
  if (!prof.empty()) {
    model::ProfileSnapshot s;
    s.platform = platform;
    s.account_id = prof[0][0].c_str();
    s.handle = prof[0][1].c_str();
    s.display_name = prof[0][2].c_str();
    s.description = prof[0][3].c_str();
    s.url = prof[0][4].c_str();
    s.avatar_url = prof[0][5].c_str();
    s.verified = prof[0][6].as<bool>();
    s.observed_at = from_epoch(prof[0][7].as<double>());
    out.profile = std::move(s);
  }
  for (const auto& row :
       tx.exec_params(std::string("SELECT ") + kPostColumns +
                          " FROM observed_posts p WHERE p.platform = $1 AND p.author_id = $2"
                          " ORDER BY p.created_at DESC LIMIT $3",
                      p, account_id, post_limit)) {
    out.recent_posts.push_back(post_from_row(row));
  }
  tx.commit();
  return out;
}

std::vector<model::Post> load_own_post_history(pqxx::connection& c, model::Platform platform,
                                               const std::string& handle, int days, int limit) {
  std::vector<model::Post> out;
  pqxx::work tx(c);
  const pqxx::result r =
      tx.exec_params(std::string("SELECT * FROM (SELECT ") + kPostColumns +
                         " FROM observed_posts p JOIN official_accounts a ON a.platform = "
                         "p.platform AND a.account_id = p.author_id"
                         " WHERE p.platform = $1 AND lower(a.handle) = lower($2) AND p.created_at "
                         "> now() - make_interval(days => $3)"
                         " ORDER BY p.created_at DESC LIMIT $4) recent ORDER BY created_epoch",
                     platform_name(platform), handle, days, limit);
  for (const auto& row : r) out.push_back(post_from_row(row));
  tx.commit();
  return out;
}

void store_compliance(pqxx::connection& c, model::Platform platform, const std::string& handle,
                      const std::vector<di::AuditItem>& items, model::TimePoint checked_at) {
  pqxx::work tx(c);
  const std::string p = platform_name(platform);
  tx.exec_params("DELETE FROM compliance_results WHERE platform = $1 AND handle = $2", p, handle);
  int position = 0;
  for (const auto& i : items) {
    tx.exec_params(
        "INSERT INTO compliance_results (platform, handle, item_id, position, title, clause, "
        "status, detail, checked_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9::double precision))",
        p, handle, i.id, position++, i.title, i.clause, std::string(di::to_string(i.status)),
        i.detail, epoch_seconds(checked_at));
  }
  tx.commit();
}

boost::json::object compliance_json(pqxx::connection& c) {
  pqxx::work tx(c);
  boost::json::array accounts;
  const pqxx::result acc = tx.exec(
      "SELECT platform, handle, municipality FROM official_accounts WHERE active AND "
      "mamori_in_scope(municipality)"
      " ORDER BY municipality, platform, handle");
  const pqxx::result items =
      tx.exec("SELECT platform, handle, item_id, title, clause, status, detail, " +
              iso("checked_at") + " FROM compliance_results ORDER BY platform, handle, position");
  // Each account's items by (platform, handle in lower case), in one pass over the results, not
  // one pass per account (2,000 accounts × their results was a noticeable wait per page).
  struct Items {
    boost::json::array list;
    boost::json::value checked_at = nullptr;
  };
  std::map<std::pair<std::string, std::string>, Items> of_account;
  for (const auto& row : items) {
    Items& i = of_account[{row[0].c_str(), model::ascii_lower(row[1].c_str())}];
    i.list.push_back(boost::json::object{{"id", row[2].c_str()},
                                         {"title", row[3].c_str()},
                                         {"clause", row[4].c_str()},
                                         {"status", row[5].c_str()},
                                         {"detail", row[6].c_str()}});
    i.checked_at = row[7].c_str();
  }
  for (const auto& a : acc) {
    const std::string platform = a[0].c_str();
    const std::string handle = a[1].c_str();
    const Items& found = of_account[{platform, model::ascii_lower(handle)}];
    accounts.push_back(boost::json::object{{"municipality", a[2].c_str()},
                                           {"platform", platform},
                                           {"handle", handle},
                                           {"checked_at", found.checked_at},
                                           {"items", found.list}});
  }
  tx.commit();
  return boost::json::object{{"accounts", std::move(accounts)}};
}

std::vector<FailingCounts> integrity_counts(pqxx::connection& c) {
  std::vector<FailingCounts> out;
  pqxx::work tx(c);
  for (const auto& row :
       // Each table counted once and joined by hash (issue 20: the per-account subqueries, no
       // index on lower(handle), scanned every result for every account: at 2,000 accounts in
       // 200 towns, run after each town's audit, they kept PostgreSQL busy most of a core).
       tx.exec("SELECT a.platform, a.handle, coalesce(f.n, 0), coalesce(o.n, 0)"
               " FROM official_accounts a"
               " LEFT JOIN (SELECT platform, lower(handle) AS h, count(*) AS n"
               "   FROM compliance_results WHERE status = 'fail' GROUP BY 1, 2) f"
               "   ON f.platform = a.platform AND f.h = lower(a.handle)"
               " LEFT JOIN (SELECT platform, handle AS h, count(*) AS n"
               "   FROM integrity_observed_changes WHERE status = 'open' GROUP BY 1, 2) o"
               "   ON o.platform = a.platform AND o.h = lower(a.handle)"
               " WHERE a.active")) {
    out.push_back({row[0].c_str(), row[1].c_str(), row[2].as<int>(), row[3].as<int>()});
  }
  tx.commit();
  return out;
}

std::vector<TrackedPost> load_tracked_posts(pqxx::connection& c) {
  std::vector<TrackedPost> out;
  pqxx::work tx(c);
  for (const auto& row : tx.exec(
           "SELECT e.incident_id, e.platform, e.post_id, e.handle, coalesce(a.account_id, ''), "
           "e.repost_count,"
           " e.quote_count, e.reply_count, (extract(epoch FROM o.created_at) * 1000)::bigint"
           " FROM erroneous_posts e JOIN incidents i ON i.id = e.incident_id"
           " LEFT JOIN official_accounts a ON a.platform = e.platform AND lower(a.handle) = "
           "lower(e.handle)"
           " LEFT JOIN observed_posts o ON o.platform = e.platform AND o.post_id = e.post_id"
           " WHERE e.tracking AND i.status NOT IN ('resolved', 'closed') ORDER BY e.incident_id")) {
    TrackedPost t;
    t.incident_id = row[0].as<long long>();
    t.platform = model::platform_from_string(row[1].c_str()).value_or(model::Platform::x);
    t.post_id = row[2].c_str();
    t.handle = row[3].c_str();
    t.account_id = row[4].c_str();
    t.repost_count = row[5].as<long long>();
    t.quote_count = row[6].as<long long>();
    t.reply_count = row[7].as<long long>();
    if (!row[8].is_null())
      t.created_at = model::TimePoint(std::chrono::milliseconds(row[8].as<long long>()));
    out.push_back(std::move(t));
  }
  tx.commit();
  return out;
}

}  // namespace mamori::integrity

namespace mamori::integrity {

bool post_gone_from_page(const collectors::ParseResult& page, const TrackedPost& post) {
  if (page.outcome != collectors::ParseOutcome::ok || !post.created_at) return false;
  bool reaches_back = !page.next_cursor.has_value();
  for (const auto& o : page.observations) {
    const auto* p = std::get_if<model::Post>(&o);
    if (p == nullptr) continue;
    if (p->post_id == post.post_id) return false;
    const bool own = (!post.account_id.empty() && p->author_id == post.account_id) ||
                     model::iequals_ascii(p->author_handle, post.handle);
    if (own && p->created_at < *post.created_at) reaches_back = true;
  }
  return reaches_back;
}

int record_post_gone(pqxx::connection& c, const TrackedPost& post) {
  {
    pqxx::work tx(c);
    tx.exec_params("UPDATE erroneous_posts SET tracking = false WHERE incident_id = $1",
                   post.incident_id);
    tx.commit();
  }
  return incidents::complete_automatic_checks(
      c, model::IncidentType::erroneous_post,
      std::string(model::to_string(post.platform)) + ":post:" + post.post_id, "subject_gone",
      "公式アカウントの投稿（投稿ID " + post.post_id + "）が削除されたことを確認しました");
}

}  // namespace mamori::integrity
