#include "daemon/incidents/automatic_checks.h"

#include <algorithm>
#include <cstdint>

#include "detectors/text/html_page.h"
#include "detectors/text/normalize.h"
#include "model/text.h"

namespace mamori::incidents {
namespace {

namespace json = boost::json;
namespace text = detectors::text;

std::optional<model::TimePoint> time_of(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return model::TimePoint(std::chrono::milliseconds(f.as<long long>()));
}

// Timeline entry as the incident store writes them (append-only table).
void timeline(pqxx::work& tx, long long id, const std::string& message,
              const json::object& detail) {
  tx.exec_params(
      "INSERT INTO incident_timeline (incident_id, actor, kind, message, detail)"
      " VALUES ($1, 'system:check', 'check', $2, $3::jsonb)",
      id, message, json::serialize(detail));
}

std::string string_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string format_duration_ja(long long seconds) {
  if (seconds % 86400 == 0) return std::to_string(seconds / 86400) + "日";
  if (seconds % 3600 == 0) return std::to_string(seconds / 3600) + "時間";
  if (seconds % 60 == 0) return std::to_string(seconds / 60) + "分";
  return std::to_string(seconds) + "秒";
}

}  // namespace

std::vector<PendingCheck> pending_checks(pqxx::connection& c, std::string_view kind) {
  pqxx::work tx(c);
  const pqxx::result r = tx.exec_params(
      "SELECT s.incident_id, s.step_id, s.title, s.auto_check::text,"
      " (extract(epoch FROM i.opened_at) * 1000)::bigint, (extract(epoch FROM i.acknowledged_at) * "
      "1000)::bigint, s.check_state::text, i.type, i.subject, coalesce(i.platform, '')"
      " FROM incident_steps s JOIN incidents i ON i.id = s.incident_id"
      " WHERE s.status = 'pending' AND i.status NOT IN ('resolved', 'closed') AND "
      "s.auto_check->>'kind' = $1"
      " ORDER BY s.incident_id, s.position",
      std::string(kind));
  tx.commit();
  std::vector<PendingCheck> out;
  for (const auto& row : r) {
    PendingCheck p;
    p.incident_id = row[0].as<long long>();
    p.step_id = row[1].c_str();
    p.step_title = row[2].c_str();
    boost::system::error_code ec;
    json::value v = json::parse(row[3].c_str(), ec);
    if (!ec && v.is_object()) p.check = std::move(v.as_object());
    p.opened_at = time_of(row[4]).value_or(model::TimePoint{});
    p.acknowledged_at = time_of(row[5]);
    if (!row[6].is_null()) {
      json::value state = json::parse(row[6].c_str(), ec);
      if (!ec && state.is_object()) p.state = std::move(state.as_object());
    }
    p.incident_type = row[7].c_str();
    p.subject = row[8].c_str();
    p.platform = row[9].c_str();
    out.push_back(std::move(p));
  }
  return out;
}

bool complete_checked_step(pqxx::connection& c, long long incident_id, const std::string& step_id,
                           std::string_view kind, const std::string& message) {
  pqxx::work tx(c);
  const pqxx::result inc = tx.exec_params(
      "SELECT 1 FROM incidents WHERE id = $1 AND status NOT IN ('resolved', 'closed') FOR UPDATE",
      incident_id);
  if (inc.empty()) return false;
  const pqxx::result step = tx.exec_params(
      "UPDATE incident_steps SET status = 'done', completed_by = 'system:check', completed_at = "
      "now(), note = $4"
      " WHERE incident_id = $1 AND step_id = $2 AND status = 'pending' AND auto_check->>'kind' = "
      "$3 RETURNING title",
      incident_id, step_id, std::string(kind), message);
  if (step.empty()) return false;
  timeline(tx, incident_id,
           "自動確認により手順を完了: " + std::string(step[0][0].c_str()) + "（" + message + "）",
           {{"check", std::string(kind)}, {"step_id", step_id}});
  tx.exec_params("UPDATE incidents SET updated_at = now() WHERE id = $1", incident_id);
  tx.commit();
  return true;
}

bool record_account_reading(pqxx::connection& c, long long incident_id, const std::string& step_id,
                            bool present, const std::string& gone_message,
                            const std::string& never_seen_message) {
  bool seen = false;
  {
    pqxx::work tx(c);
    const pqxx::result r = tx.exec_params(
        "SELECT coalesce(s.check_state->>'seen', '') = 'true',"
        " coalesce(s.check_state->>'missing_noted', '') = 'true'"
        " FROM incident_steps s JOIN incidents i ON i.id = s.incident_id"
        " WHERE s.incident_id = $1 AND s.step_id = $2 AND s.status = 'pending'"
        " AND i.status NOT IN ('resolved', 'closed') FOR UPDATE OF s",
        incident_id, step_id);
    if (r.empty()) return false;
    seen = r[0][0].as<bool>();
    const bool noted = r[0][1].as<bool>();
    if (present && !seen) {
      tx.exec_params(
          "UPDATE incident_steps SET check_state = coalesce(check_state, '{}'::jsonb) ||"
          " '{\"seen\": true}'::jsonb WHERE incident_id = $1 AND step_id = $2",
          incident_id, step_id);
    } else if (!present && !seen && !noted) {
      tx.exec_params(
          "UPDATE incident_steps SET check_state = coalesce(check_state, '{}'::jsonb) ||"
          " '{\"missing_noted\": true}'::jsonb WHERE incident_id = $1 AND step_id = $2",
          incident_id, step_id);
      timeline(tx, incident_id, never_seen_message,
               {{"check", "subject_gone"}, {"step_id", step_id}});
    }
    tx.commit();
  }
  if (present || !seen) return false;
  return complete_checked_step(c, incident_id, step_id, "subject_gone", gone_message);
}

std::optional<std::string> matched_alternative(std::string_view pattern, std::string_view subject) {
  const std::string folded = text::nfkc_casefold(subject);
  std::size_t pos = 0;
  while (pos <= pattern.size()) {
    std::size_t bar = pattern.find('|', pos);
    if (bar == std::string_view::npos) bar = pattern.size();
    const std::string_view alt = pattern.substr(pos, bar - pos);
    if (!alt.empty() && (subject.find(alt) != std::string_view::npos ||
                         folded.find(text::nfkc_casefold(alt)) != std::string::npos)) {
      return std::string(alt);
    }
    pos = bar + 1;
  }
  return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> compromised_account(const PendingCheck& p) {
  if (p.incident_type != "account_compromise") return std::nullopt;
  if (const auto at = p.subject.find(":official:"); at != std::string::npos)
    return std::pair(p.subject.substr(0, at), model::ascii_lower(p.subject.substr(at + 10)));
  if (p.subject.rfind("manual:", 0) == 0 && !p.platform.empty()) {
    std::string handle = p.subject.substr(7);
    if (!handle.empty() && handle.front() == '@') handle.erase(0, 1);
    if (!handle.empty()) return std::pair(p.platform, model::ascii_lower(handle));
  }
  return std::nullopt;
}

int run_official_post_checks(pqxx::connection& c) {
  int completed = 0;
  for (const PendingCheck& p : pending_checks(c, "official_post_since_open")) {
    const std::string pattern = string_at(p.check, "pattern");
    if (pattern.empty()) continue;
    pqxx::result posts;
    {
      pqxx::work tx(c);
      // Own posts only (not reposts of others), by any official account: a compromised
      // account's notice comes from another one (ube-city.txt 6(4)).
      posts = tx.exec_params(
          "SELECT p.text, a.handle, p.platform, p.post_id FROM observed_posts p"
          " JOIN official_accounts a ON a.platform = p.platform"
          "  AND (a.account_id = p.author_id OR (p.author_handle <> '' AND lower(a.handle) = "
          "lower(p.author_handle)))"
          " WHERE p.created_at >= to_timestamp($1::double precision / 1000) AND p.reposted_post_id "
          "IS NULL"
          " ORDER BY p.created_at LIMIT 2000",
          static_cast<double>(p.opened_at.time_since_epoch().count()));
      tx.commit();
    }
    const auto compromised = compromised_account(p);
    for (const auto& post : posts) {
      const std::string handle = post[1].c_str();
      // A compromised account's own post is no notice: it may be the intruder's.
      const bool own = compromised && compromised->first == post[2].c_str() &&
                       compromised->second == model::ascii_lower(handle);
      if (own) continue;
      const auto hit = matched_alternative(pattern, post[0].c_str());
      if (!hit) continue;
      const std::string message =
          "公式アカウント @" + handle + " の投稿に「" + *hit + "」を確認しました（投稿ID " +
          post[3].c_str() + "）" +
          (compromised ? "。不正アクセスを受けたアカウントとは別のアカウントからの周知です" : "");
      if (complete_checked_step(c, p.incident_id, p.step_id, "official_post_since_open", message))
        ++completed;
      break;
    }
  }
  return completed;
}

int run_elapsed_checks(pqxx::connection& c, model::TimePoint now) {
  int completed = 0;
  for (const PendingCheck& p : pending_checks(c, "elapsed")) {
    const json::value* d = p.check.if_contains("duration_s");
    if (d == nullptr || !d->is_number()) continue;
    boost::system::error_code ec;
    const auto seconds = d->to_number<long long>(ec);
    if (ec || seconds <= 0) continue;
    const bool from_ack = string_at(p.check, "from") == "acknowledge";
    const std::optional<model::TimePoint> anchor =
        from_ack ? p.acknowledged_at : std::optional(p.opened_at);
    if (!anchor || now < *anchor + std::chrono::seconds(seconds)) continue;
    const std::string message = std::string(from_ack ? "確認" : "発生") + "から" +
                                format_duration_ja(seconds) + "が経過しました";
    if (complete_checked_step(c, p.incident_id, p.step_id, "elapsed", message)) ++completed;
  }
  return completed;
}

std::string page_match_key(std::string_view body, std::string_view content_type) {
  return text::match_key(text::page_text(body, content_type));
}

std::size_t occurrences_in(std::string_view page_key, std::string_view needle) {
  const std::string key = text::match_key(needle);
  if (key.empty()) return 0;
  std::size_t count = 0;
  for (std::size_t at = page_key.find(key); at != std::string_view::npos;
       at = page_key.find(key, at + key.size()))
    ++count;
  return count;
}

std::size_t page_occurrences(std::string_view body, std::string_view content_type,
                             std::string_view needle) {
  return occurrences_in(page_match_key(body, content_type), needle);
}

bool page_contains(std::string_view body, std::string_view content_type, std::string_view needle) {
  return page_occurrences(body, content_type, needle) > 0;
}

HomepageVerdict record_homepage_reading(pqxx::connection& c, long long incident_id,
                                        const std::string& step_id, const std::string& url,
                                        const std::string& text, std::size_t occurrences,
                                        const std::string& message) {
  {
    pqxx::work tx(c);
    const pqxx::result r = tx.exec_params(
        "SELECT s.check_state->'baseline', coalesce(s.check_state->>'url', ''),"
        " coalesce(s.check_state->>'text', '') FROM incident_steps s JOIN incidents i ON i.id = "
        "s.incident_id WHERE s.incident_id = $1 AND s.step_id = $2 AND s.status = 'pending' AND "
        "s.auto_check->>'kind' = 'homepage_contains' AND i.status NOT IN ('resolved', 'closed') "
        "FOR UPDATE OF s",
        incident_id, step_id);
    if (r.empty()) return HomepageVerdict::not_pending;
    const auto count = static_cast<long long>(occurrences);
    if (r[0][0].is_null() || r[0][1].as<std::string>() != url ||
        r[0][2].as<std::string>() != text) {
      tx.exec_params(
          "UPDATE incident_steps SET check_state = jsonb_build_object('baseline', $3::bigint, "
          "'baseline_at', now(), 'url', $4::text, 'text', $5::text)"
          " WHERE incident_id = $1 AND step_id = $2",
          incident_id, step_id, count, url, text);
      tx.commit();
      return HomepageVerdict::baseline_taken;
    }
    const long long baseline = r[0][0].as<long long>(0);
    if (count <= baseline) {
      if (count < baseline) {
        // The page dropped an old notice: a new one must still be able to show as new.
        tx.exec_params(
            "UPDATE incident_steps SET check_state = jsonb_set(check_state, '{baseline}', "
            "to_jsonb($3::bigint)) WHERE incident_id = $1 AND step_id = $2",
            incident_id, step_id, count);
      }
      tx.commit();
      return HomepageVerdict::unchanged;
    }
  }
  return complete_checked_step(c, incident_id, step_id, "homepage_contains", message)
             ? HomepageVerdict::completed
             : HomepageVerdict::not_pending;
}

}  // namespace mamori::incidents
