#include "daemon/detection/candidate_dispositions.h"

#include <algorithm>
#include <boost/asio/post.hpp>

#include "daemon/log/log.h"
#include "model/text.h"

namespace mamori::detection {

namespace asio = boost::asio;
using incidents::ActionError;

namespace {

std::string lower_ascii(std::string_view s) {
  return model::ascii_lower(s);
}

std::string strip_at(std::string s) {
  while (!s.empty() && s.front() == '@') s.erase(0, 1);
  return s;
}

bool same_if_known(const std::string& judged, const std::string& now) {
  return judged.empty() || now.empty() || judged == now;
}

constexpr const char* kColumns =
    "municipality, platform, account_ref, disposition, handle, display_name, url, avatar_url, note,"
    " coalesce(incident_id, 0),  decided_by,"
    " to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " coalesce(to_char(reopened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')";

CandidateDisposition from_row(const pqxx::row& r) {
  CandidateDisposition d;
  d.municipality = r[0].c_str();
  d.platform = model::platform_from_string(r[1].c_str()).value_or(model::Platform::x);
  d.account_ref = r[2].c_str();
  d.disposition = r[3].c_str();
  d.handle = r[4].c_str();
  d.display_name = r[5].c_str();
  d.url = r[6].c_str();
  d.avatar_url = r[7].c_str();
  d.note = r[8].c_str();
  d.incident_id = r[9].as<long long>();
  d.decided_by = r[10].c_str();
  d.decided_at = r[11].c_str();
  d.reopened_at = r[12].c_str();
  return d;
}

}  // namespace

boost::json::object to_json(const CandidateDisposition& d) {
  boost::json::object o;
  o["municipality"] = d.municipality;
  o["platform"] = model::to_string(d.platform);
  o["account_ref"] = d.account_ref;
  o["disposition"] = d.disposition;
  o["handle"] = d.handle;
  o["display_name"] = d.display_name;
  o["url"] = d.url;
  o["avatar_url"] = d.avatar_url;
  o["note"] = d.note;
  if (d.incident_id > 0) o["incident_id"] = d.incident_id;
  o["decided_by"] = d.decided_by;
  o["decided_at"] = d.decided_at;
  if (!d.reopened_at.empty()) o["reopened_at"] = d.reopened_at;
  return o;
}

bool same_material_profile(const CandidateDisposition& d, const model::ProfileSnapshot& p) {
  return p.platform == d.platform &&
         lower_ascii(strip_at(p.handle)) == lower_ascii(strip_at(d.handle)) &&
         p.display_name == d.display_name && same_if_known(d.url, p.url) &&
         same_if_known(d.avatar_url, p.avatar_url);
}

std::vector<CandidateDisposition> load_dispositions(pqxx::connection& c) {
  pqxx::read_transaction tx(c);
  std::vector<CandidateDisposition> out;
  for (const auto& r :
       // A request scoped to some municipalities (055_municipalities.sql) sees their own
       // decisions only.
       tx.exec(std::string("SELECT ") + kColumns +
               " FROM impersonation_dispositions WHERE mamori_in_scope(municipality)")) {
    out.push_back(from_row(r));
  }
  return out;
}

CandidateDisposition record_disposition(pqxx::connection& c, long long incident_id,
                                        const std::string& disposition, const std::string& actor,
                                        const std::string& note,
                                        const incidents::StatusHook& on_status) {
  if (disposition != "related" && disposition != "benign") {
    throw ActionError(
        400,
        "disposition には related（関連アカウント）または benign（問題なし）を指定してください");
  }
  const std::string label = disposition == "related" ? "市の関連アカウント（部署・関係団体・区）"
                                                     : "問題のないアカウント";
  const std::string timeline_note =
      "成りすましではなく" + label + "と判断" + (note.empty() ? "" : "（" + note + "）");
  CandidateDisposition recorded;
  incidents::change_status(
      c, incident_id, incidents::Status::resolved, actor, timeline_note, "",
      [&](pqxx::work& tx, long long id, incidents::Status from, incidents::Status to,
          const std::string& who) {
        const pqxx::result inc =
            tx.exec_params("SELECT type, subject, municipality FROM incidents WHERE id = $1", id);
        if (inc.empty()) throw ActionError(404, "インシデントがありません");
        if (std::string(inc[0][0].c_str()) != "impersonation") {
          throw ActionError(409, "成りすましのインシデントではありません");
        }
        const std::string subject = inc[0][1].c_str();
        const std::string municipality = inc[0][2].c_str();
        const auto colon = subject.find(':');
        const auto platform = model::platform_from_string(subject.substr(0, colon));
        if (colon == std::string::npos || !platform) {
          throw ActionError(409, "対象アカウントが特定できません: " + subject);
        }
        const std::string ref = subject.substr(colon + 1);
        const std::string platform_name(model::to_string(*platform));
        // The profile as last observed; a reply author never fetched as a profile has only what
        // the incident's first finding saw.
        const pqxx::result prof = tx.exec_params(
            "SELECT handle, display_name, url, avatar_url FROM observed_profiles"
            " WHERE platform = $1 AND (account_id = $2 OR lower(handle) = lower($2))"
            " ORDER BY observed_at DESC LIMIT 1",
            platform_name, ref);
        std::string handle = ref, name, url, avatar_url;
        if (!prof.empty()) {
          handle = prof[0][0].c_str();
          name = prof[0][1].c_str();
          url = prof[0][2].c_str();
          avatar_url = prof[0][3].c_str();
        } else {
          const pqxx::result first = tx.exec_params(
              "SELECT coalesce(evidence->>'handle', ''), coalesce(evidence->>'display_name', '')"
              " FROM incident_findings WHERE incident_id = $1 ORDER BY detected_at LIMIT 1",
              id);
          if (!first.empty()) {
            if (!std::string(first[0][0].c_str()).empty()) handle = first[0][0].c_str();
            name = first[0][1].c_str();
          }
        }
        const pqxx::result row = tx.exec_params(
            std::string(
                "INSERT INTO impersonation_dispositions (platform, account_ref, disposition,"
                " handle, display_name, url, avatar_url, note, incident_id, decided_by,"
                " municipality) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                " ON CONFLICT (municipality, platform, account_ref) DO UPDATE SET"
                " disposition = EXCLUDED.disposition, handle = EXCLUDED.handle,"
                " display_name = EXCLUDED.display_name, url = EXCLUDED.url,"
                " avatar_url = EXCLUDED.avatar_url, note = EXCLUDED.note,"
                " incident_id = EXCLUDED.incident_id, decided_by = EXCLUDED.decided_by,"
                " decided_at = now(), reopened_at = NULL RETURNING ") +
                kColumns,
            platform_name, ref, disposition, handle, name, url, avatar_url, note, id, who,
            municipality);
        recorded = from_row(row[0]);
        if (on_status) on_status(tx, id, from, to, who);
      });
  return recorded;
}

void mark_reopened(pqxx::connection& c, const std::string& municipality, model::Platform platform,
                   const std::string& account_ref) {
  pqxx::work tx(c);
  tx.exec_params(
      "UPDATE impersonation_dispositions SET reopened_at = now() WHERE municipality = $3 AND"
      " platform = $1 AND account_ref = $2 AND reopened_at IS NULL",
      std::string(model::to_string(platform)), account_ref, municipality);
  tx.commit();
}

void DispositionBook::replace(std::vector<CandidateDisposition> all) {
  by_id_.clear();
  by_handle_.clear();
  for (auto& d : all) {
    if (!d.reopened_at.empty()) continue;
    const std::string platform = d.municipality + "|" + std::string(model::to_string(d.platform));
    const std::string id_key = platform + ":" + d.account_ref;
    const std::string handle_key = platform + ":" + lower_ascii(strip_at(d.handle));
    auto [it, inserted] = by_id_.insert_or_assign(id_key, std::move(d));
    by_handle_[handle_key] = &it->second;
  }
}

const CandidateDisposition* DispositionBook::decided(const std::string& municipality,
                                                     const model::ProfileSnapshot& p) const {
  const std::string platform = municipality + "|" + std::string(model::to_string(p.platform));
  if (!p.account_id.empty()) {
    if (auto it = by_id_.find(platform + ":" + p.account_id); it != by_id_.end()) {
      return &it->second;
    }
  }
  if (auto it = by_handle_.find(platform + ":" + lower_ascii(strip_at(p.handle)));
      it != by_handle_.end()) {
    return it->second;
  }
  return nullptr;
}

const CandidateDisposition* DispositionBook::settled(const std::string& municipality,
                                                     const model::ProfileSnapshot& p) const {
  const CandidateDisposition* d = decided(municipality, p);
  return d != nullptr && same_material_profile(*d, p) ? d : nullptr;
}

void DispositionBook::forget(const std::string& municipality, model::Platform platform,
                             const std::string& account_ref) {
  const auto it =
      by_id_.find(municipality + "|" + std::string(model::to_string(platform)) + ":" + account_ref);
  if (it == by_id_.end()) return;
  std::erase_if(by_handle_, [&](const auto& entry) { return entry.second == &it->second; });
  by_id_.erase(it);
}

DispositionRefresher::DispositionRefresher(asio::io_context& io, store::Database& database,
                                           Apply apply, std::chrono::seconds refresh)
    : io_(io), database_(database), apply_(std::move(apply)), refresh_(refresh), timer_(io) {}

DispositionRefresher::~DispositionRefresher() {
  *alive_ = false;
  stop();
}

void DispositionRefresher::start() {
  stopped_ = false;
  refresh_now();
  schedule();
}

void DispositionRefresher::stop() {
  stopped_ = true;
  timer_.cancel();
}

void DispositionRefresher::refresh_now() {
  if (stopped_) return;
  std::weak_ptr<bool> alive = alive_;
  const bool queued =
      database_.submit("detection.load_dispositions", [this, alive](pqxx::connection& c) {
        auto all = load_dispositions(c);
        asio::post(io_, [this, alive, all = std::move(all)]() mutable {
          if (alive.expired() || stopped_) return;
          log::debug("detection.dispositions_loaded", {{"count", all.size()}});
          apply_(std::move(all));
        });
      });
  if (!queued)
    log::warn("detection.dispositions_refresh_dropped", {{"reason", "store queue full"}});
}

void DispositionRefresher::schedule() {
  timer_.expires_after(refresh_);
  timer_.async_wait(
      [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        if (ec || alive.expired() || stopped_) return;
        refresh_now();
        schedule();
      });
}

}  // namespace mamori::detection
