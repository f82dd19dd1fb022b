#include "daemon/incidents/takedowns.h"

#include "daemon/incidents/incident_store.h"
#include "model/platform_name.h"
#include "model/time_text.h"

namespace mamori::incidents {
namespace {

namespace json = boost::json;
using model::epoch_seconds;

void event(pqxx::work& tx, long long request_id, const std::string& actor, std::string_view status,
           const std::string& message, const json::object& detail = {}) {
  tx.exec_params(
      "INSERT INTO takedown_events (request_id, actor, status, message, detail)"
      " VALUES ($1, $2, $3, $4, $5::jsonb)",
      request_id, actor, std::string(status), message, json::serialize(detail));
}

// The request's change on its incident's timeline too.
void timeline(pqxx::work& tx, long long incident_id, const std::string& actor,
              const std::string& message, long long request_id) {
  append_timeline(tx, incident_id, actor, "takedown", message, {{"takedown_request", request_id}});
}

std::string status_label(std::string_view s) {
  if (s == "filing") return "送信中";
  if (s == "failed") return "送信失敗";
  if (s == "filed") return "依頼済み";
  if (s == "answered") return "回答あり";
  if (s == "removed") return "削除済み";
  if (s == "refused") return "対応されず";
  return std::string(s);
}

// The request rows as JSON, with events; `where` selects them (parameter $1, then now as $2).
const char* kSelect =
    "SELECT coalesce(json_agg(r ORDER BY r.sort_key, r.id), '[]')::text FROM ("
    " SELECT t.id, t.incident_id, t.platform, t.target, t.target_handle, t.post_ids, t.method,"
    "  t.status, t.text, t.receipt, t.platform_answer, t.error, t.legal_period_days, t.deadline,"
    "  t.response_period_s,"
    "  t.reminded_at, t.previous_id, t.filed_by, t.created_at, t.filed_at, t.closed_at,"
    "  t.updated_at, i.title AS incident_title,"
    "  (t.status IN ('filed', 'answered') AND t.deadline IS NOT NULL"
    "   AND t.deadline < to_timestamp($2::double precision)) AS overdue,"
    "  %SORT% AS sort_key,"
    "  (SELECT coalesce(json_agg(e ORDER BY e.id), '[]') FROM (SELECT id, at, actor, status, "
    "message"
    "    FROM takedown_events WHERE request_id = t.id) e) AS events"
    " FROM takedown_requests t JOIN incidents i ON i.id = t.incident_id WHERE %WHERE%) r";

std::string select_sql(std::string_view where, std::string_view sort) {
  std::string q = kSelect;
  q.replace(q.find("%SORT%"), 6, sort);
  q.replace(q.find("%WHERE%"), 7, where);
  return q;
}

}  // namespace

std::string_view to_string(TakedownStatus s) {
  switch (s) {
    case TakedownStatus::filing:
      return "filing";
    case TakedownStatus::failed:
      return "failed";
    case TakedownStatus::filed:
      return "filed";
    case TakedownStatus::answered:
      return "answered";
    case TakedownStatus::removed:
      return "removed";
    case TakedownStatus::refused:
      return "refused";
  }
  return "unknown";
}

std::optional<TakedownStatus> takedown_status_from_string(std::string_view s) {
  for (const auto v :
       {TakedownStatus::filing, TakedownStatus::failed, TakedownStatus::filed,
        TakedownStatus::answered, TakedownStatus::removed, TakedownStatus::refused}) {
    if (to_string(v) == s) return v;
  }
  return std::nullopt;
}

ResponsePeriod response_period(model::Platform platform, std::chrono::seconds own) {
  ResponsePeriod p;
  // X Corp., Meta Platforms (Facebook, Instagram) and Google (YouTube) were designated
  // 大規模特定電気通信役務提供者 on 2025-04-30 (総務省). The act makes them answer a deletion
  // request within the period the ordinance sets: 7 days.
  if (platform == model::Platform::x || platform == model::Platform::facebook ||
      platform == model::Platform::instagram || platform == model::Platform::youtube) {
    p.period = std::chrono::days(7);
    p.legal = true;
    const std::string company = platform == model::Platform::x         ? "X Corp."
                                : platform == model::Platform::youtube ? "Google LLC"
                                                                       : "Meta Platforms, Inc.";
    p.designation = std::string(model::display_name(platform)) + " の運営会社（" + company +
                    "）は情報流通プラットフォーム対処法の大規模特定電気通信役務提供者に指定され"
                    "ています（2025年4月30日指定）。削除の申出から7日以内に、対応の結果を申出者"
                    "に通知する義務があります。";
    return p;
  }
  // Not designated: mamori's own period before it suggests asking again (soma-city.txt 第7-2:
  // keep after the platform until the account is gone).
  p.period = std::chrono::duration_cast<std::chrono::hours>(own);
  const auto hours = std::chrono::duration_cast<std::chrono::hours>(own).count();
  const std::string span =
      hours % 24 == 0 ? std::to_string(hours / 24) + "日" : std::to_string(hours) + "時間";
  p.designation = std::string(model::display_name(platform)) +
                  " は情報流通プラットフォーム対処法の指定を受けていません。" + span +
                  "たっても回答がなければ再依頼を促します。";
  return p;
}

bool has_report_api(model::Platform platform) {
  return platform == model::Platform::mastodon || platform == model::Platform::bluesky;
}

std::string_view report_form_url(model::Platform platform) {
  switch (platform) {
    case model::Platform::x:
      return "https://help.x.com/ja/forms/authenticity";
    // The platforms' own impersonation report routes (help pages leading to the forms).
    case model::Platform::facebook:
      return "https://www.facebook.com/help/174210519303259";
    case model::Platform::instagram:
      return "https://help.instagram.com/446663175382270";
    case model::Platform::youtube:
      return "https://support.google.com/youtube/answer/2801947?hl=ja";
    case model::Platform::bluesky:
    case model::Platform::mastodon:
      return "";  // reported through their APIs
  }
  return "";
}

std::optional<TakedownTarget> default_target(pqxx::connection& c, long long incident_id) {
  pqxx::work tx(c);
  const pqxx::result r = tx.exec_params(
      "SELECT i.type, i.subject, coalesce(i.platform, ''),"
      " coalesce((SELECT f.evidence->>'handle' FROM incident_findings f WHERE f.incident_id = i.id"
      "  ORDER BY f.id DESC LIMIT 1), '')"
      " FROM incidents i WHERE i.id = $1",
      incident_id);
  tx.commit();
  if (r.empty())
    throw ActionError(404, "インシデント " + std::to_string(incident_id) + " はありません");
  const std::string type = r[0][0].c_str();
  const std::string subject = r[0][1].c_str();
  const auto platform = model::platform_from_string(r[0][2].c_str());
  if (type != "impersonation" || !platform) return std::nullopt;
  const auto colon = subject.find(':');
  if (colon == std::string::npos) return std::nullopt;
  TakedownTarget t;
  t.platform = *platform;
  t.account_id = subject.substr(colon + 1);
  t.handle = r[0][3].c_str();
  return t;
}

long long create_takedown(pqxx::connection& c, const NewTakedown& request, const std::string& actor,
                          model::TimePoint now) {
  pqxx::work tx(c);
  const pqxx::result inc =
      tx.exec_params("SELECT status FROM incidents WHERE id = $1 FOR UPDATE", request.incident_id);
  if (inc.empty())
    throw ActionError(404, "インシデント " + std::to_string(request.incident_id) + " はありません");
  if (std::string_view(inc[0][0].c_str()) == "closed")
    throw ActionError(409, "終了したインシデントでは削除依頼を登録できません");
  if (request.previous_id) {
    const pqxx::result prev =
        tx.exec_params("SELECT 1 FROM takedown_requests WHERE id = $1 AND incident_id = $2",
                       *request.previous_id, request.incident_id);
    if (prev.empty()) throw ActionError(404, "再依頼のもとになる削除依頼がありません");
  }
  const auto platform = request.target.platform;
  const bool api = has_report_api(platform);
  const ResponsePeriod period = response_period(platform, request.own_response_period);
  const std::string status = api ? "filing" : "filed";
  std::optional<int> legal_days;
  if (period.legal)
    legal_days =
        static_cast<int>(std::chrono::duration_cast<std::chrono::days>(period.period).count());
  json::array posts;
  for (const auto& p : request.post_ids) posts.emplace_back(p);
  const double filed_at = epoch_seconds(now);
  const double deadline =
      epoch_seconds(now + std::chrono::duration_cast<std::chrono::milliseconds>(period.period));
  const pqxx::result r = tx.exec_params(
      "INSERT INTO takedown_requests (incident_id, platform, target, target_handle, post_ids, "
      "method,"
      " status, text, receipt, legal_period_days, deadline, previous_id, filed_by, filed_at,"
      " response_period_s)"
      " VALUES ($1, $2, $3, $4, ARRAY(SELECT jsonb_array_elements_text($5::jsonb)), $6, $7, $8,"
      "  $9, $10,"
      "  CASE WHEN $7 = 'filed' THEN to_timestamp($11::double precision) END, $12, $13,"
      "  CASE WHEN $7 = 'filed' THEN to_timestamp($14::double precision) END, $15) RETURNING id",
      request.incident_id, std::string(model::to_string(platform)), request.target.account_id,
      request.target.handle, json::serialize(posts), api ? "api" : "form", status, request.text,
      request.receipt, legal_days, deadline, request.previous_id, actor, filed_at,
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::seconds>(period.period).count()));
  const long long id = r[0][0].as<long long>();
  const std::string who =
      request.target.handle.empty() ? request.target.account_id : "@" + request.target.handle;
  std::string message;
  if (api) {
    message = std::string(model::display_name(platform)) + " に " + who + " の削除依頼を送信します";
  } else {
    message =
        std::string(model::display_name(platform)) + " のフォームで " + who +
        " の削除を依頼しました" +
        (request.receipt.empty() ? "（受付番号は未記録）" : "（受付番号 " + request.receipt + "）");
  }
  if (request.previous_id) message = "再依頼: " + message;
  event(tx, id, actor, status, message);
  timeline(tx, request.incident_id, actor, message, id);
  tx.commit();
  return id;
}

void record_filing(pqxx::connection& c, long long request_id,
                   const collectors::ReportAnswer& answer, const std::string& raw_answer,
                   model::TimePoint now) {
  pqxx::work tx(c);
  const pqxx::result r = tx.exec_params(
      "SELECT incident_id, platform, legal_period_days, response_period_s FROM takedown_requests "
      "WHERE id = $1 AND "
      "status = 'filing'"
      " FOR UPDATE",
      request_id);
  if (r.empty()) return;
  const long long incident_id = r[0][0].as<long long>();
  const auto platform = model::platform_from_string(r[0][1].c_str()).value_or(model::Platform::x);
  const std::string answer_text = raw_answer.substr(0, 64 * 1024);
  if (answer.accepted) {
    // The period the request was given when it was recorded (older rows: the default).
    const auto period = response_period(
        platform,
        r[0][3].is_null() ? kOwnResponsePeriod : std::chrono::seconds(r[0][3].as<long long>()));
    tx.exec_params(
        "UPDATE takedown_requests SET status = 'filed', receipt = $2, platform_answer = $3,"
        " filed_at = to_timestamp($4::double precision), deadline = to_timestamp($5::double "
        "precision),"
        " updated_at = now() WHERE id = $1",
        request_id, answer.report_id, answer_text, epoch_seconds(now),
        epoch_seconds(now + std::chrono::duration_cast<std::chrono::milliseconds>(period.period)));
    const std::string message = std::string(model::display_name(platform)) +
                                " が削除依頼を受け付けました（通報ID " + answer.report_id + "）";
    event(tx, request_id, "system:takedown", "filed", message,
          {{"report_id", answer.report_id},
           {"created_at", answer.created_at},
           {"action_taken", answer.action_taken}});
    timeline(tx, incident_id, "system:takedown", message, request_id);
  } else {
    tx.exec_params(
        "UPDATE takedown_requests SET status = 'failed', error = $2, platform_answer = $3,"
        " updated_at = now() WHERE id = $1",
        request_id, answer.error, answer_text);
    const std::string message = std::string(model::display_name(platform)) +
                                " への削除依頼を送信できませんでした: " + answer.error;
    event(tx, request_id, "system:takedown", "failed", message);
    timeline(tx, incident_id, "system:takedown", message, request_id);
  }
  tx.commit();
}

void update_takedown(pqxx::connection& c, long long request_id,
                     std::optional<TakedownStatus> status,
                     const std::optional<std::string>& receipt, const std::string& note,
                     const std::string& actor, model::TimePoint now) {
  pqxx::work tx(c);
  const pqxx::result r = tx.exec_params(
      "SELECT incident_id, status, receipt, platform FROM takedown_requests WHERE id = $1 FOR "
      "UPDATE",
      request_id);
  if (r.empty()) throw ActionError(404, "削除依頼 " + std::to_string(request_id) + " はありません");
  const long long incident_id = r[0][0].as<long long>();
  const std::string from = r[0][1].c_str();
  if (from == "filing") throw ActionError(409, "この削除依頼はまだ送信中です");
  if (status && (*status == TakedownStatus::filing || *status == TakedownStatus::failed))
    throw ActionError(
        400, "status には filed / answered / removed / refused のいずれかを指定してください");
  if (status && from == "failed")
    throw ActionError(409, "送信できなかった依頼の状態は変えられません。再依頼してください");
  std::string message;
  if (status && to_string(*status) != from) {
    const std::string to(to_string(*status));
    const bool closing = *status == TakedownStatus::removed || *status == TakedownStatus::refused;
    tx.exec_params(
        "UPDATE takedown_requests SET status = $2, updated_at = now(),"
        " closed_at = CASE WHEN $3 THEN to_timestamp($4::double precision) END WHERE id = $1",
        request_id, to, closing, epoch_seconds(now));
    message = "削除依頼の状態: " + status_label(from) + " → " + status_label(to);
  }
  if (receipt && *receipt != r[0][2].c_str()) {
    tx.exec_params("UPDATE takedown_requests SET receipt = $2, updated_at = now() WHERE id = $1",
                   request_id, *receipt);
    if (!message.empty()) message += "、";
    message += "受付番号 " + *receipt + " を記録";
  }
  if (message.empty() && note.empty()) throw ActionError(400, "変更する内容がありません");
  if (message.empty()) message = "削除依頼にメモ";
  if (!note.empty()) message += "（" + note + "）";
  const std::string shown = status ? std::string(to_string(*status)) : from;
  event(tx, request_id, actor, shown, message);
  timeline(tx, incident_id, actor, model::display_name(r[0][3].c_str()) + " " + message,
           request_id);
  tx.commit();
}

std::optional<boost::json::object> get_takedown(pqxx::connection& c, long long request_id,
                                                model::TimePoint now) {
  pqxx::work tx(c);
  const pqxx::result r =
      tx.exec_params(select_sql("t.id = $1", "t.id"), request_id, epoch_seconds(now));
  tx.commit();
  json::value v = json::parse(r[0][0].c_str());
  auto& a = v.as_array();
  if (a.empty()) return std::nullopt;
  return a[0].as_object();
}

namespace {

json::array decorate(json::value v) {
  json::array out;
  for (auto& item : v.as_array()) {
    auto& o = item.as_object();
    o.erase("sort_key");
    const auto platform = model::platform_from_string(
        o["platform"].is_string() ? std::string_view(o["platform"].as_string()) : "");
    if (platform) {
      const auto* own = o.if_contains("response_period_s");
      const auto p = response_period(*platform, own != nullptr && own->is_int64()
                                                    ? std::chrono::seconds(own->as_int64())
                                                    : kOwnResponsePeriod);
      o.erase("response_period_s");
      o["response_period_days"] = std::chrono::duration_cast<std::chrono::days>(p.period).count();
      o["response_period_legal"] = p.legal;
      o["response_period_note"] = p.designation;
      o["form_url"] = std::string(report_form_url(*platform));
    }
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace

json::array list_takedowns(pqxx::connection& c, long long incident_id, model::TimePoint now) {
  pqxx::work tx(c);
  const pqxx::result r =
      tx.exec_params(select_sql("t.incident_id = $1", "t.id"), incident_id, epoch_seconds(now));
  tx.commit();
  return decorate(json::parse(r[0][0].c_str()));
}

json::array open_takedowns(pqxx::connection& c, model::TimePoint now) {
  pqxx::work tx(c);
  // $1 is unused here but keeps one query text for all three views.
  const pqxx::result r = tx.exec_params(
      select_sql("t.status IN ('filed', 'answered') AND $1::int = 0 AND mamori_in_scope("
                 "(SELECT i.municipality FROM incidents i WHERE i.id = t.incident_id))",
                 "extract(epoch FROM t.deadline)"),
      0, epoch_seconds(now));
  tx.commit();
  return decorate(json::parse(r[0][0].c_str()));
}

TakedownRound run_takedown_round(pqxx::connection& c, model::TimePoint now,
                                 const ReminderHook& notify) {
  TakedownRound out;
  pqxx::work tx(c);
  // The account is gone: mamori's subject_gone check on the incident completed.
  const pqxx::result gone = tx.exec(
      "SELECT t.id, t.incident_id, t.platform FROM takedown_requests t"
      " WHERE t.status IN ('filed', 'answered') AND EXISTS (SELECT 1 FROM incident_steps s"
      "  WHERE s.incident_id = t.incident_id AND s.auto_check->>'kind' = 'subject_gone'"
      "  AND s.status = 'done' AND s.completed_by = 'system:check')"
      " FOR UPDATE OF t");
  for (const auto& row : gone) {
    const long long id = row[0].as<long long>();
    tx.exec_params(
        "UPDATE takedown_requests SET status = 'removed', closed_at = to_timestamp($2::double "
        "precision),"
        " updated_at = now() WHERE id = $1",
        id, epoch_seconds(now));
    const std::string message = "mamori が対象の削除（凍結）を確認したため、" +
                                model::display_name(row[2].c_str()) +
                                " への削除依頼を「削除済み」にしました";
    event(tx, id, "system:check", "removed", message);
    timeline(tx, row[1].as<long long>(), "system:check", message, id);
    ++out.removed;
  }
  const pqxx::result due = tx.exec_params(
      "SELECT t.id, t.incident_id, t.platform, t.legal_period_days, t.receipt FROM "
      "takedown_requests t"
      " JOIN incidents i ON i.id = t.incident_id"
      " WHERE t.status IN ('filed', 'answered') AND t.reminded_at IS NULL"
      "  AND t.deadline <= to_timestamp($1::double precision) AND i.status NOT IN ('resolved', "
      "'closed')"
      " FOR UPDATE OF t",
      epoch_seconds(now));
  for (const auto& row : due) {
    const long long id = row[0].as<long long>();
    tx.exec_params("UPDATE takedown_requests SET reminded_at = now() WHERE id = $1", id);
    const std::string platform = model::display_name(row[2].c_str());
    std::string message;
    if (!row[3].is_null()) {
      message =
          platform + " への削除依頼（" +
          (std::string_view(row[4].c_str()).empty() ? std::string("受付番号未記録")
                                                    : "受付番号 " + std::string(row[4].c_str())) +
          "）は、情報流通プラットフォーム対処法の対応期間（" + row[3].c_str() +
          "日）を過ぎました。回答を確認し、なければ再依頼してください";
    } else {
      message =
          platform + " への削除依頼の回答期限を過ぎました。対象が残っていれば再依頼してください";
    }
    event(tx, id, "system:takedown", "reminder", message);
    timeline(tx, row[1].as<long long>(), "system:takedown", message, id);
    if (notify) notify(tx, row[1].as<long long>(), message, "takedown-" + std::to_string(id));
    ++out.reminded;
  }
  tx.commit();
  return out;
}

}  // namespace mamori::incidents
