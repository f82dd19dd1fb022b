#include "daemon/incidents/account_changes.h"

#include <algorithm>

#include "model/time_text.h"

namespace mamori::incidents {
namespace {

namespace json = boost::json;
using model::epoch_seconds;
using std::chrono::days;
using std::chrono::minutes;

// 2026年4月1日 (Japan time).
std::string japanese_date(model::TimePoint t) {
  const auto local = std::chrono::floor<days>(t + model::kJstOffset);
  const std::chrono::year_month_day ymd{local};
  return std::to_string(static_cast<int>(ymd.year())) + "年" +
         std::to_string(static_cast<unsigned>(ymd.month())) + "月" +
         std::to_string(static_cast<unsigned>(ymd.day())) + "日";
}

std::optional<minutes> due_in(model::TimePoint due, model::TimePoint now) {
  return std::max(minutes(0), std::chrono::duration_cast<minutes>(due - now));
}

// When the notices must be up: the planned day less the notice period.
model::TimePoint notice_due(const AccountChangePlan& plan) {
  return plan.planned_at -
         std::chrono::duration_cast<model::TimePoint::duration>(plan.periods.change_notice);
}

}  // namespace

model::TimePoint keep_notice_until(const AccountChangePlan& plan) {
  const auto& p = plan.periods;
  return plan.planned_at + std::chrono::duration_cast<model::TimePoint::duration>(
                               plan.closure ? p.keep_after_closure : p.keep_after_change);
}

std::vector<StepPlan> account_change_steps(std::vector<StepPlan> steps,
                                           const AccountChangePlan& plan, model::TimePoint now) {
  const model::TimePoint notice_by = notice_due(plan);
  const model::TimePoint keep_until = keep_notice_until(plan);
  std::vector<StepPlan> out;
  for (StepPlan& s : steps) {
    if (!plan.closure && (s.id == "delete_posts" || s.id == "remove_from_list")) continue;
    if (s.id == "notify_administrator") {
      s.due_after_open = due_in(notice_by - std::chrono::duration_cast<model::TimePoint::duration>(
                                                plan.periods.report_before_notice),
                                now);
    } else if (s.id == "account_notice" || s.id == "homepage_notice") {
      s.due_after_open = due_in(notice_by, now);
    } else if (s.id == "delete_posts" || s.id == "carry_out") {
      s.due_after_open = due_in(plan.planned_at, now);
    } else if (s.id == "remove_from_list") {
      s.due_after_open = due_in(plan.planned_at + days(7), now);
    } else if (s.id == "keep_notice") {
      s.due_after_open = due_in(keep_until + days(7), now);
    }
    if (s.auto_check_json) {
      json::value v = json::parse(*s.auto_check_json);
      auto& check = v.as_object();
      const json::value* kind = check.if_contains("kind");
      if (kind != nullptr && kind->is_string() && kind->as_string() == "homepage_contains") {
        check["url"] = plan.notice_url;
        check["text"] = plan.notice_text;
      } else if (kind != nullptr && kind->is_string() && kind->as_string() == "elapsed") {
        check["duration_s"] = std::max<long long>(
            1, std::chrono::duration_cast<std::chrono::seconds>(keep_until - now).count());
        check["from"] = "open";
      }
      s.auto_check_json = json::serialize(v);
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> account_change_warnings(const AccountChangePlan& plan,
                                                 model::TimePoint now) {
  std::vector<std::string> w;
  if (plan.planned_at - now < plan.periods.change_notice) {
    w.push_back(
        "予定日まで周知の期間（" +
        std::to_string(std::chrono::duration_cast<days>(plan.periods.change_notice).count()) +
        "日）がありません。ガイドラインは一月以上前の周知を求めています（相馬市 "
        "第4の4(2)）。"
        "予定日を遅らせられないか検討し、周知はすぐに行ってください");
  }
  return w;
}

RegisteredChange register_account_change(pqxx::connection& c, const AccountChangePlan& plan,
                                         const std::vector<StepPlan>& steps,
                                         const std::string& actor, model::TimePoint now) {
  if (plan.planned_at <= now) throw ActionError(400, "予定日は今より後の日時にしてください");
  {
    pqxx::work tx(c);
    const pqxx::result acc = tx.exec_params(
        "SELECT 1 FROM official_accounts WHERE platform = $1 AND lower(handle) = lower($2) AND "
        "active",
        std::string(model::to_string(plan.platform)), plan.handle);
    tx.commit();
    if (acc.empty())
      throw ActionError(404, "公式アカウント @" + plan.handle + " は設定にありません");
  }
  const std::string kind = plan.closure ? "廃止" : "変更";
  const std::string date = japanese_date(plan.planned_at);
  RegisteredChange out;
  out.warnings = account_change_warnings(plan, now);
  model::Finding f;
  f.type = model::IncidentType::account_change;
  f.subject =
      std::string(model::to_string(plan.platform)) + ":" + plan.handle + ":" +
      (plan.closure ? "closure" : "change") + ":" +
      std::to_string(
          std::chrono::floor<days>(plan.planned_at + model::kJstOffset).time_since_epoch().count());
  f.platform = plan.platform;
  f.score = 0;
  f.severity = model::Severity::low;
  f.severity_label = "予定";
  f.detected_at = now;
  f.reasons.push_back(actor + " さんが公式アカウント @" + plan.handle + "（" +
                      std::string(model::display_name(plan.platform)) + "）の" + kind +
                      "を登録しました: " + plan.what);
  f.reasons.push_back("予定日: " + date + "。周知の期限: " + japanese_date(notice_due(plan)) +
                      "。周知の掲載: " + japanese_date(keep_notice_until(plan)) + "まで");
  for (const auto& w : out.warnings) f.reasons.push_back(w);
  f.evidence_json =
      json::serialize(json::object{{"kind", "account_change"},
                                   {"platform", std::string(model::to_string(plan.platform))},
                                   {"handle", plan.handle},
                                   {"closure", plan.closure},
                                   {"what", plan.what},
                                   {"planned_at", epoch_seconds(plan.planned_at)},
                                   {"notice_url", plan.notice_url},
                                   {"notice_text", plan.notice_text},
                                   {"registered_by", actor}});
  NewIncident fresh;
  fresh.title = "公式アカウントの" + kind + ": @" + plan.handle + "（" +
                std::string(model::display_name(plan.platform)) + "）" + date;
  fresh.summary = "@" + plan.handle + " の" + kind + "（" + plan.what + "）を" + date +
                  "に予定しています。一月以上前の周知と、" + kind + "後の掲載の継続を進めます。";
  fresh.steps = steps;
  const RecordResult r = record_finding(
      c, f, {}, fresh, std::chrono::hours(0), [&](pqxx::work& tx, const RecordResult& rr) {
        tx.exec_params(
            "INSERT INTO account_changes (incident_id, platform, handle, kind, what,"
            " planned_at, notice_url, notice_text, keep_until, registered_by)"
            " VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision), $7, $8,"
            " to_timestamp($9::double precision), $10)"
            " ON CONFLICT (incident_id) DO UPDATE SET what = EXCLUDED.what,"
            " notice_url = EXCLUDED.notice_url, notice_text = EXCLUDED.notice_text",
            rr.incident_id, std::string(model::to_string(plan.platform)), plan.handle,
            plan.closure ? "closure" : "change", plan.what, epoch_seconds(plan.planned_at),
            plan.notice_url, plan.notice_text, epoch_seconds(keep_notice_until(plan)), actor);
      });
  out.incident_id = r.incident_id;
  out.created = r.created;
  return out;
}

json::array list_account_changes(pqxx::connection& c) {
  pqxx::work tx(c);
  const pqxx::result r = tx.exec(
      "SELECT coalesce(json_agg(x ORDER BY x.planned_at DESC, x.id DESC), '[]')::text FROM ("
      " SELECT a.id, a.incident_id, a.platform, a.handle, a.kind, a.what, a.planned_at, "
      "a.notice_url,"
      "  a.notice_text, a.keep_until, a.registered_by, a.registered_at, i.status AS "
      "incident_status,"
      "  (SELECT count(*) FROM incident_steps s WHERE s.incident_id = a.incident_id AND s.status = "
      "'pending')"
      "   AS pending_steps,"
      "  (SELECT min(s.due_at) FROM incident_steps s WHERE s.incident_id = a.incident_id AND "
      "s.status = 'pending')"
      "   AS next_due"
      " FROM account_changes a JOIN incidents i ON i.id = a.incident_id"
      " WHERE mamori_in_scope(i.municipality)) x");
  tx.commit();
  return json::parse(r[0][0].c_str()).as_array();
}

int run_account_change_reminders(pqxx::connection& c, model::TimePoint now,
                                 const ReminderHook& notify, const std::vector<int>& lead_days) {
  // The lead days and 0 (the date itself) as a PostgreSQL array literal.
  std::string leads = "{";
  for (const int d : lead_days) leads += std::to_string(std::max(1, d)) + ",";
  leads += "0}";
  pqxx::work tx(c);
  // The nearest lead time each pending step has reached and not been reminded of.
  const pqxx::result due = tx.exec_params(
      "SELECT s.incident_id, s.step_id, s.title, (extract(epoch FROM s.due_at) * 1000)::bigint, "
      "l.lead"
      " FROM incident_steps s JOIN incidents i ON i.id = s.incident_id"
      " CROSS JOIN LATERAL (SELECT min(d) AS lead FROM unnest($2::int[]) d"
      "   WHERE s.due_at - make_interval(days => d) <= to_timestamp($1::double precision)) l"
      " WHERE i.type = 'account_change' AND i.status NOT IN ('resolved', 'closed') AND s.status = "
      "'pending'"
      "  AND s.due_at IS NOT NULL AND l.lead IS NOT NULL"
      "  AND NOT EXISTS (SELECT 1 FROM account_change_reminders r WHERE r.incident_id = "
      "s.incident_id"
      "   AND r.step_id = s.step_id AND r.lead_days <= l.lead)"
      " FOR UPDATE OF s",
      epoch_seconds(now), leads);
  int given = 0;
  for (const auto& row : due) {
    const long long incident_id = row[0].as<long long>();
    const int lead = row[4].as<int>();
    const model::TimePoint at{std::chrono::milliseconds(row[3].as<long long>())};
    tx.exec_params(
        "INSERT INTO account_change_reminders (incident_id, step_id, lead_days) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING",
        incident_id, std::string(row[1].c_str()), lead);
    // Whole days left, rounded up (registered 3 days before: "あと3日", not the 7-day lead).
    const auto left = std::chrono::ceil<days>(at - now).count();
    const std::string message =
        lead == 0 ? "「" + std::string(row[2].c_str()) + "」の期限（" + japanese_date(at) +
                        "）を過ぎました"
                  : "「" + std::string(row[2].c_str()) + "」の期限（" + japanese_date(at) +
                        "）まであと" + std::to_string(std::max<long long>(1, left)) + "日です";
    append_timeline(tx, incident_id, "system:reminder", "reminder", message,
                    {{"step_id", row[1].c_str()}, {"lead_days", lead}});
    if (notify)
      notify(tx, incident_id, message,
             "account-change-" + std::string(row[1].c_str()) + "-" + std::to_string(lead));
    ++given;
  }
  tx.commit();
  return given;
}

}  // namespace mamori::incidents
