#include "daemon/signin/accounts_api.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <ctime>

#include "daemon/api/api_support.h"
#include "model/platform_name.h"
#include "model/time_text.h"

namespace mamori::signin {
namespace {

namespace bh = http::beast_http;

boost::json::value iso_or_null(std::optional<double> unix_seconds) {
  if (!unix_seconds || !std::isfinite(*unix_seconds) || *unix_seconds <= 0) return nullptr;
  const model::TimePoint t{std::chrono::seconds(static_cast<std::int64_t>(*unix_seconds))};
  return boost::json::string(model::iso8601_utc(t));
}

// Runs are expected every `posts`/`replies` interval; three missed runs (plus a minute for a
// slow platform) make an account stale.
double stale_after(const config::PollingIntervals& p) {
  return 3.0 * static_cast<double>(std::max(p.posts, p.replies).count()) + 60.0;
}

// What a failing polling job means, as staff read it.
std::string failure_text(std::string_view job, const std::string& detail) {
  if (job == "search") return "成りすましアカウントの検索に失敗しています（" + detail + "）";
  std::string what(job);
  if (job == "posts") what = "公式アカウントの投稿";
  if (job == "replies") what = "返信・メンション";
  if (job == "profiles") what = "プロフィール";
  return what + "の取得に失敗しています（" + detail + "）";
}

}  // namespace

void register_account_routes(http::Router& router, store::Database& db,
                             const api::Authenticator& auth, const collectors::Clock& clock,
                             PollHealthSource health) {
  router.add_async(
      bh::verb::get, "/api/v1/accounts", "/api/v1/accounts",
      api::guarded(
          auth, api::Role::viewer,
          [&db, health, &clock](const api::Principal&, const http::Request& req,
                                const http::Params&, http::Responder respond) {
            // The snapshot is taken here, on the event loop, where the poller lives.
            PollHealth snapshot = health ? health() : PollHealth{};
            const double now =
                std::chrono::duration<double>(clock.now().time_since_epoch()).count();
            api::run_in_store(
                db, req, respond, "api.accounts", [req, snapshot, now](pqxx::connection& c) {
                  pqxx::read_transaction tx(c);
                  const auto rows = tx.exec(
                      "SELECT a.platform, a.handle, coalesce(a.account_id, ''), a.display_name,"
                      " (SELECT extract(epoch FROM max(p.updated_at))::float8 FROM poll_cursors p"
                      "   WHERE p.platform = a.platform AND p.account_key = a.handle),"
                      // What the instance polling it last wrote (poll_status: any instance).
                      " s.polled_by, extract(epoch FROM s.polling_since)::float8,"
                      " extract(epoch FROM s.last_success_at)::float8, s.last_error_job,"
                      " s.last_error, extract(epoch FROM s.last_error_at)::float8"
                      " FROM official_accounts a LEFT JOIN poll_status s"
                      "   ON s.platform = a.platform AND s.handle = a.handle"
                      " WHERE a.active AND mamori_in_scope(a.municipality)"
                      " ORDER BY a.platform, a.handle");
                  boost::json::array out;
                  for (const auto& r : rows) {
                    const std::string platform = r[0].as<std::string>();
                    const std::string handle = r[1].as<std::string>();
                    std::optional<double> last;
                    if (auto it = snapshot.last_success.find({platform, handle});
                        it != snapshot.last_success.end()) {
                      last = it->second;
                    }
                    if (!r[4].is_null()) {
                      // A cursor moves only after a successful run: a floor that survives restarts.
                      last = std::max(last.value_or(0.0), r[4].as<double>());
                    }
                    if (!r[7].is_null()) last = std::max(last.value_or(0.0), r[7].as<double>());
                    const double stale = stale_after(snapshot.intervals.of(
                        model::platform_from_string(platform).value_or(model::Platform::x)));
                    const bool recent = last && now - *last <= stale;
                    const auto breaker = snapshot.open_breakers.find(platform);
                    // The account's own failing job (this instance's memory, else what the
                    // instance polling it wrote), else a platform-wide one of this instance.
                    auto f = snapshot.failures.find({platform, handle});
                    std::optional<PollHealth::Failure> written;
                    if (f == snapshot.failures.end() && !r[8].is_null())
                      written = PollHealth::Failure{r[8].as<std::string>(), r[10].as<double>(0.0),
                                                    r[9].as<std::string>("")};
                    if (f == snapshot.failures.end() && !written)
                      f = snapshot.failures.find({platform, ""});
                    const PollHealth::Failure* failure =
                        written ? &*written : (f == snapshot.failures.end() ? nullptr : &f->second);
                    boost::json::object a;
                    a["platform"] = platform;
                    a["handle"] = handle;
                    a["account_id"] = r[2].as<std::string>();
                    a["display_name"] = r[3].as<std::string>();
                    a["last_poll_at"] = iso_or_null(last);
                    a["last_poll_ok"] = recent;
                    // 取得担当: the instance polling it, and seconds since its last success (or
                    // since polling it began, before one), as the staleness metric counts.
                    a["polled_by"] = r[5].is_null() ? boost::json::value(nullptr)
                                                    : boost::json::value(r[5].as<std::string>());
                    const std::optional<double> since =
                        last ? last
                             : (r[6].is_null() ? std::nullopt
                                               : std::optional<double>(r[6].as<double>()));
                    a["staleness_seconds"] = since ? boost::json::value(static_cast<long long>(
                                                         std::max(0.0, now - *since)))
                                                   : boost::json::value(nullptr);
                    if (breaker != snapshot.open_breakers.end()) {
                      a["last_error"] =
                          model::display_name(platform) +
                          " の API でエラーが続いているため、接続を一時停止しています（" +
                          breaker->second + "）";
                    } else if (failure != nullptr) {
                      a["last_error"] = failure_text(failure->job, failure->detail);
                    } else if (!last) {
                      a["last_error"] = "まだ一度も取得に成功していません";
                    } else if (!recent) {
                      a["last_error"] = "最後の取得成功から " +
                                        std::to_string(static_cast<long long>((now - *last) / 60)) +
                                        " 分経過しています";
                    } else {
                      a["last_error"] = nullptr;
                    }
                    if (auto q = snapshot.lowest_quota.find(platform);
                        q != snapshot.lowest_quota.end()) {
                      a["quota_remaining"] = static_cast<long long>(q->second.remaining);
                      a["quota_reset_at"] = iso_or_null(q->second.reset_at);
                    } else {
                      a["quota_remaining"] = nullptr;
                      a["quota_reset_at"] = nullptr;
                    }
                    a["last_error_at"] = iso_or_null(
                        failure != nullptr ? std::optional<double>(failure->at) : std::nullopt);
                    a["healthy"] =
                        recent && breaker == snapshot.open_breakers.end() && failure == nullptr;
                    out.push_back(std::move(a));
                  }
                  boost::json::object body;
                  body["accounts"] = std::move(out);
                  boost::json::object spend;
                  for (const auto& [platform, sp] : snapshot.api_spend) {
                    boost::json::object o;
                    o["month"] = sp.month;
                    o["month_to_date_usd"] = sp.month_to_date_usd;
                    o["projected_usd"] = sp.projected_usd;
                    if (sp.budget_usd)
                      o["budget_usd"] = *sp.budget_usd;
                    else
                      o["budget_usd"] = nullptr;
                    o["units_month_to_date"] = sp.units_month_to_date;
                    o["degradation_level"] = sp.degradation_level;
                    spend[platform] = std::move(o);
                  }
                  body["api_spend"] = std::move(spend);
                  return http::json_response(req, bh::status::ok, boost::json::serialize(body));
                });
          }));
}

}  // namespace mamori::signin
