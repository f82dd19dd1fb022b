#include "daemon/alerts/ack_link_routes.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <stdexcept>

#include "daemon/alerts/live_alerts.h"
#include "daemon/alerts/outbox.h"
#include "daemon/alerts/status_notices.h"
#include "daemon/log/log.h"
#include "daemon/store/connection.h"
#include "daemon/store/municipality_scope.h"
#include "playbooks/engine/template.h"

namespace mamori::alerts {
namespace {

namespace bh = http::beast_http;

// No script at all, styles only from our own stylesheet, forms only back to us.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'";

constexpr std::string_view kStylesheet = R"css(body {
  font-family: "Hiragino Sans", "Noto Sans JP", "Yu Gothic", sans-serif;
  margin: 0; padding: 1.5rem; background: #f5f6f8; color: #1b1f24; line-height: 1.6;
}
main { max-width: 36rem; margin: 0 auto; background: #fff; border-radius: 8px;
  padding: 1.5rem; box-shadow: 0 1px 3px rgba(0, 0, 0, 0.15); }
h1 { font-size: 1.3rem; margin-top: 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; }
dt { font-weight: bold; }
dd { margin: 0; overflow-wrap: anywhere; }
button { font-size: 1.1rem; padding: 0.8rem 1.5rem; border: 0; border-radius: 6px;
  background: #0b5cad; color: #fff; cursor: pointer; width: 100%; }
button:focus { outline: 3px solid #f0a400; }
.error h1 { color: #b3261e; }
.done h1 { color: #1e7d32; }
.note { color: #555; font-size: 0.9rem; }
)css";

// Untrusted text into HTML: & < > " ' as references, control and bidi-override characters
// dropped, invalid UTF-8 replaced (the playbooks' escaping, used for drafted documents too).
std::string escape(std::string_view text) {
  return playbooks::escape_value(text, playbooks::Escaping::html);
}

struct Page {
  std::string css_class;  // "error", "done", or "" (confirmation)
  std::string heading;
  std::vector<std::string> paragraphs;
  std::vector<std::pair<std::string, std::string>> facts;  // 件名, 状態, ...
  bool form = false;  // the acknowledge button (POST back to the same URL)
  std::string incident_url;
  std::string note;
};

// Links are relative ("style.css", the form posting to its own URL), so the pages also work
// behind a reverse proxy that serves mamori under a path.
std::string render(const Page& p, std::string_view token) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>" +
      escape(p.heading) +
      " - mamori</title>\n<link rel=\"stylesheet\" href=\"style.css\">\n</head>\n";
  h += "<body>\n<main class=\"" + escape(p.css_class) + "\">\n<h1>" + escape(p.heading) + "</h1>\n";
  for (const auto& para : p.paragraphs) h += "<p>" + escape(para) + "</p>\n";
  if (!p.facts.empty()) {
    h += "<dl>\n";
    for (const auto& [k, v] : p.facts)
      h += "<dt>" + escape(k) + "</dt><dd>" + escape(v) + "</dd>\n";
    h += "</dl>\n";
  }
  if (p.form) {
    h += "<form method=\"post\" action=\"" + escape(token) +
         "\">\n<button type=\"submit\">確認しました (対応を引き受けます)</button>\n</form>\n";
  }
  if (!p.note.empty()) h += "<p class=\"note\">" + escape(p.note) + "</p>\n";
  if (!p.incident_url.empty()) {
    h += "<p><a href=\"" + escape(p.incident_url) + "\">コンソールでインシデントを開く</a></p>\n";
  }
  h += "</main>\n</body>\n</html>\n";
  return h;
}

http::Response page_response(const http::Request& req, bh::status status, const Page& page,
                             std::string_view token) {
  auto res = http::make_response(req, status, render(page, token), "text/html; charset=utf-8");
  res.set("Content-Security-Policy", kContentSecurityPolicy);
  return res;
}

Page error_page(std::string heading, std::string detail) {
  Page p;
  p.css_class = "error";
  p.heading = std::move(heading);
  p.paragraphs = {std::move(detail)};
  p.note = "インシデントの確認はコンソール (または API) からもできます。";
  return p;
}

bh::status status_for(AckTokenError e) {
  switch (e) {
    case AckTokenError::expired:
      return bh::status::gone;
    case AckTokenError::malformed:
    case AckTokenError::bad_signature:
      break;
  }
  return bh::status::bad_request;
}

std::string_view status_text(std::string_view status) {
  if (status == "open") return "未対応";
  if (status == "acknowledged") return "確認済み";
  if (status == "mitigating") return "対応中";
  if (status == "monitoring") return "経過観察";
  if (status == "resolved") return "解決";
  if (status == "closed") return "終了";
  return status;
}

struct IncidentView {
  std::string title, status, severity, opened_at, acknowledged_at, acknowledged_by;
  long long cycle = 0;  // how often it was reopened
};

std::optional<IncidentView> load_incident(pqxx::transaction_base& tx, long long id) {
  const auto r = tx.exec_params(
      "SELECT title, status, coalesce(nullif(severity_label, ''), severity),"
      " to_char(opened_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'),"
      " coalesce(to_char(acknowledged_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), ''),"
      " coalesce((SELECT actor FROM incident_timeline t WHERE t.incident_id = i.id AND t.kind = "
      "'status'"
      "   AND t.detail->>'from' = 'open' ORDER BY t.id DESC LIMIT 1), '')"
      // Within the link's municipality (the connection's scope): not found otherwise.
      " FROM incidents i WHERE id = $1 AND mamori_in_scope(municipality)",
      id);
  if (r.empty()) return std::nullopt;
  return IncidentView{r[0][0].c_str(), r[0][1].c_str(), r[0][2].c_str(),     r[0][3].c_str(),
                      r[0][4].c_str(), r[0][5].c_str(), reopen_count(tx, id)};
}

// A link sent before the incident was resolved and reopened: the page says so, without a button.
Page earlier_cycle_page(const IncidentView& v) {
  Page p = error_page("このリンクは以前の通知のものです",
                      "このインシデントは、リンクの通知のあと解決され、再び開かれています。新しい"
                      "通知のリンクか、コンソールから確認してください。");
  p.facts = {{"件名", v.title}, {"状態", std::string(status_text(v.status))}};
  return p;
}

struct Use {
  std::string by, at;
};

std::optional<Use> find_use(pqxx::transaction_base& tx, const std::string& token_id) {
  const auto r = tx.exec_params(
      "SELECT used_by, to_char(used_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI')"
      " FROM alert_ack_link_uses WHERE token_sha256 = $1",
      token_id);
  if (r.empty()) return std::nullopt;
  return Use{r[0][0].c_str(), r[0][1].c_str()};
}

Page replay_page(const Use& use) {
  return error_page("このリンクはすでに使われています", "確認リンクは一度だけ使えます。" + use.at +
                                                            " に " + use.by +
                                                            " さんとして確認が記録されています。");
}

Page already_page(const IncidentView& v) {
  Page p;
  p.css_class = "done";
  p.heading = "このインシデントはすでに確認されています";
  std::string who = v.acknowledged_by.empty() ? "" : v.acknowledged_by + " さんが";
  p.paragraphs = {who + (v.acknowledged_at.empty() ? "" : v.acknowledged_at + " に") +
                  "確認済みです。エスカレーションは止まっています。"};
  p.facts = {{"件名", v.title}, {"状態", std::string(status_text(v.status))}};
  return p;
}

// The name the acknowledgement is recorded under.
std::string actor_for(const AckClaims& c) {
  return c.person.empty() ? "確認リンク (" + c.channel + ")" : c.person;
}

struct LinkAlreadyUsed : std::runtime_error {
  LinkAlreadyUsed() : std::runtime_error("acknowledge link already used") {}
};

class AckLinkPages : public std::enable_shared_from_this<AckLinkPages> {
 public:
  AckLinkPages(store::Database& db, const collectors::Clock& clock,
               std::shared_ptr<const LiveAlerts> live, incidents::StatusHook on_status,
               prometheus::Registry* registry)
      : db_(db), clock_(clock), live_(std::move(live)), on_status_(std::move(on_status)) {
    if (registry != nullptr) {
      outcomes_ = &prometheus::BuildCounter()
                       .Name("mamori_alert_ack_links_total")
                       .Help("Acknowledge-link submissions (POST) by outcome")
                       .Register(*registry);
    }
  }

  void count(std::string_view outcome) {
    if (outcomes_ != nullptr) outcomes_->Add({{"outcome", std::string(outcome)}}).Increment();
  }

  // Checks the token; on failure answers with the error page and returns nullopt.
  std::optional<AckClaims> verify(const http::Request& req, const std::string& token,
                                  const http::Responder& respond, bool count_outcome) {
    const auto signer = this->signer();
    if (!signer) {
      respond(page_response(req, bh::status::not_found,
                            error_page("確認リンクは使えません",
                                       "この mamori では確認リンクが設定されていません "
                                       "([alerts] link_secret)。"),
                            token));
      return std::nullopt;
    }
    const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
    const auto v = signer->verify(token, now);
    if (const auto* e = std::get_if<AckTokenError>(&v)) {
      if (count_outcome) count(*e == AckTokenError::expired ? "expired" : "invalid");
      log::warn("alerts.ack_link_rejected",
                {{"reason", *e == AckTokenError::expired         ? "expired"
                            : *e == AckTokenError::bad_signature ? "bad_signature"
                                                                 : "malformed"}});
      std::string detail(describe(*e));
      if (*e == AckTokenError::expired) {
        detail += " 新しい通知のリンクを使うか、コンソールから確認してください。";
      }
      respond(
          page_response(req, status_for(*e),
                        error_page(*e == AckTokenError::expired ? "確認リンクの有効期限切れ"
                                                                : "確認リンクが正しくありません",
                                   detail),
                        token));
      return std::nullopt;
    }
    return std::get<AckClaims>(v);
  }

  // Runs `work` as a store job answering with an HTML page; failures become error pages.
  void in_store(const http::Request& req, const http::Responder& respond, const std::string& token,
                std::string job,
                std::function<http::Response(pqxx::connection&, const http::Request&)> work) {
    http::Request head;
    head.version(req.version());
    head.keep_alive(req.keep_alive());
    const auto unavailable = [&] {
      respond(page_response(
          req, bh::status::service_unavailable,
          error_page("ただいま確認できません",
                     "データベースに接続できません。しばらくしてから再度お試しください。"),
          token));
    };
    if (!db_.ready()) return unavailable();
    const bool queued = db_.submit(job, [head, respond, token, work, job](pqxx::connection& c) {
      http::Response res;
      try {
        res = work(c, head);
      } catch (const std::exception& e) {
        if (store::is_connection_loss(e)) throw;  // the store retries after reconnecting
        log::error("alerts.ack_link_failed", {{"job", job}, {"error", store::describe_error(e)}});
        res =
            page_response(head, bh::status::internal_server_error,
                          error_page("確認を記録できませんでした",
                                     "内部エラーが発生しました。コンソールから確認してください。"),
                          token);
      }
      respond(std::move(res));
    });
    if (!queued) unavailable();
  }

  void show(const http::Request& req, const http::Params& params, http::Responder respond) {
    const std::string token = params.at("token");
    const auto claims = verify(req, token, respond, false);
    if (!claims) return;
    const std::string incident_url = incident_link(*claims);
    in_store(
        req, respond, token, "alerts.ack_link_show",
        [claims = *claims, token, incident_url](pqxx::connection& c, const http::Request& head) {
          const store::MunicipalityScope scope(c, claims.municipality);
          pqxx::read_transaction tx(c);
          return show_page(tx, head, claims, token, incident_url);
        });
  }

  void acknowledge(const http::Request& req, const http::Params& params, http::Responder respond) {
    const std::string token = params.at("token");
    const auto claims = verify(req, token, respond, true);
    if (!claims) return;
    const std::string incident_url = incident_link(*claims);
    in_store(req, respond, token, "alerts.ack_link_acknowledge",
             [self = shared_from_this(), claims = *claims, token, incident_url](
                 pqxx::connection& c, const http::Request& head) {
               return self->record(c, head, claims, token, incident_url);
             });
  }

  http::Response record(pqxx::connection& c, const http::Request& head, const AckClaims& claims,
                        const std::string& token, const std::string& incident_url) {
    const std::string token_id = AckLinkSigner::token_id(token);
    // The link acts for the municipality of the incident it was sent about, and only there.
    const store::MunicipalityScope scope(c, claims.municipality);
    {
      pqxx::read_transaction tx(c);
      if (auto use = find_use(tx, token_id)) {
        count("replayed");
        return page_response(head, bh::status::conflict, replay_page(*use), token);
      }
      const auto view = load_incident(tx, claims.incident_id);
      if (!view) {
        count("not_found");
        return page_response(head, bh::status::not_found, not_found_page(claims), token);
      }
      if (view->cycle != claims.cycle) {
        count("earlier_cycle");
        auto p = earlier_cycle_page(*view);
        p.incident_url = incident_url;
        return page_response(head, bh::status::conflict, p, token);
      }
      if (view->status != "open") {
        count("already_acknowledged");
        auto p = already_page(*view);
        p.incident_url = incident_url;
        return page_response(head, bh::status::conflict, p, token);
      }
    }
    const std::string actor = actor_for(claims);
    const auto hook = on_status_;
    try {
      incidents::change_status(
          c, claims.incident_id, incidents::Status::acknowledged, actor,
          "通知の確認リンクから (第" + std::to_string(claims.level) + "段階、" + claims.channel +
              ")",
          "",
          [&](pqxx::work& tx, long long id, incidents::Status from, incidents::Status to,
              const std::string& who) {
            // Recorded with the acknowledgement: both happen, or neither.
            const auto r = tx.exec_params(
                "INSERT INTO alert_ack_link_uses (token_sha256, incident_id, used_by)"
                " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1",
                token_id, id, who);
            if (r.empty()) throw LinkAlreadyUsed();
            if (hook) hook(tx, id, from, to, who);
          });
    } catch (const LinkAlreadyUsed&) {
      pqxx::read_transaction tx(c);
      count("replayed");
      return page_response(head, bh::status::conflict,
                           replay_page(find_use(tx, token_id).value_or(Use{"(不明)", "(不明)"})),
                           token);
    } catch (const incidents::ActionError& e) {
      // Someone acknowledged between our check and the change.
      pqxx::read_transaction tx(c);
      count("already_acknowledged");
      if (auto view = load_incident(tx, claims.incident_id)) {
        auto p = already_page(*view);
        p.incident_url = incident_url;
        return page_response(head, bh::status::conflict, p, token);
      }
      return page_response(head, bh::status::conflict, error_page("確認できませんでした", e.what()),
                           token);
    }
    count("acknowledged");
    log::info("alerts.ack_link_used", {{"incident_id", claims.incident_id},
                                       {"level", claims.level},
                                       {"channel", claims.channel}});
    Page p;
    p.css_class = "done";
    p.heading = "確認を記録しました";
    p.paragraphs = {actor +
                        " さんの確認としてタイムラインに記録しました。エスカレーション "
                        "(上位者への通知) は止まります。",
                    "対応の手順はコンソールで確認してください。"};
    p.incident_url = incident_url;
    return page_response(head, bh::status::ok, p, token);
  }

  std::string incident_link(const AckClaims& c) const {
    const auto signer = this->signer();
    return signer ? signer->incident_url(c.incident_id) : std::string();
  }

 private:
  static Page not_found_page(const AckClaims& c) {
    return error_page(
        "インシデントが見つかりません",
        "インシデント #" + std::to_string(c.incident_id) + " はこの mamori にありません。");
  }

  static http::Response show_page(pqxx::read_transaction& tx, const http::Request& head,
                                  const AckClaims& claims, const std::string& token,
                                  const std::string& incident_url) {
    if (auto use = find_use(tx, AckLinkSigner::token_id(token))) {
      return page_response(head, bh::status::conflict, replay_page(*use), token);
    }
    const auto view = load_incident(tx, claims.incident_id);
    if (!view) return page_response(head, bh::status::not_found, not_found_page(claims), token);
    if (view->cycle != claims.cycle) {
      auto p = earlier_cycle_page(*view);
      p.incident_url = incident_url;
      return page_response(head, bh::status::ok, p, token);
    }
    if (view->status != "open") {
      auto p = already_page(*view);
      p.incident_url = incident_url;
      return page_response(head, bh::status::ok, p, token);
    }
    Page p;
    p.heading = "インシデントを確認しますか";
    p.paragraphs = {
        (claims.person.empty() ? std::string("通知を受けた担当者") : claims.person + " さん") +
        "として、このインシデントを確認済みにします。確認すると、上位者へのエスカレーションが止まり"
        "ます。"};
    p.facts = {{"件名", view->title},
               {"重大度", view->severity},
               {"発生日時", view->opened_at},
               {"状態", std::string(status_text(view->status))},
               {"通知", "第" + std::to_string(claims.level) + "段階 (" + claims.channel + ")"}};
    p.form = true;
    p.note = "このページを開いただけでは何も変わりません。ボタンを押したときだけ記録されます。";
    p.incident_url = incident_url;
    return page_response(head, bh::status::ok, p, token);
  }

  store::Database& db_;
  const collectors::Clock& clock_;
  // The current signer (a reload may change it); null without [alerts] link_secret.
  std::shared_ptr<const AckLinkSigner> signer() const { return live_->get().ack_links; }

  std::shared_ptr<const LiveAlerts> live_;  // never null
  incidents::StatusHook on_status_;
  prometheus::Family<prometheus::Counter>* outcomes_ = nullptr;
};

}  // namespace

namespace {

void add_ack_link_routes(http::Router& router, const std::shared_ptr<AckLinkPages>& pages) {
  // Registered before /ack/:token, which would otherwise take "style.css" for a token.
  router.add(bh::verb::get, "/ack/style.css", "/ack/style.css",
             [](const http::Request& req, const http::Params&) {
               auto res = http::make_response(req, bh::status::ok, std::string(kStylesheet),
                                              "text/css; charset=utf-8");
               res.set(bh::field::cache_control, "public, max-age=86400");
               return res;
             });
  router.add_async(
      bh::verb::get, "/ack/:token", "/ack/:token",
      [pages](const http::Request& req, const http::Params& params, http::Responder respond) {
        pages->show(req, params, std::move(respond));
      });
  router.add_async(
      bh::verb::post, "/ack/:token", "/ack/:token",
      [pages](const http::Request& req, const http::Params& params, http::Responder respond) {
        pages->acknowledge(req, params, std::move(respond));
      });
}

}  // namespace

void register_ack_link_routes(http::Router& router, store::Database& database,
                              const collectors::Clock& clock,
                              std::shared_ptr<const LiveAlerts> live,
                              incidents::StatusHook on_status, prometheus::Registry* registry) {
  add_ack_link_routes(router, std::make_shared<AckLinkPages>(database, clock, std::move(live),
                                                             std::move(on_status), registry));
}

incidents::StatusHook status_notice_hook(std::shared_ptr<const LiveAlerts> live) {
  return [live](pqxx::work& tx, long long id, incidents::Status from, incidents::Status to,
                const std::string& actor) {
    const AlertsSnapshot s = live->get();
    if (s.config && !s.config->channels.empty()) {
      enqueue_status_notices(tx, *s.config, s.public_url, s.municipality, id, from, to, actor);
    }
  };
}

}  // namespace mamori::alerts
