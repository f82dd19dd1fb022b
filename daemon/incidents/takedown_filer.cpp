#include "daemon/incidents/takedown_filer.h"

#include <boost/asio/post.hpp>

#include "collectors/bluesky/bluesky_collector.h"
#include "collectors/bluesky/bluesky_report.h"
#include "collectors/mastodon/mastodon_report.h"
#include "daemon/log/log.h"

namespace mamori::incidents {

TakedownFiler::TakedownFiler(boost::asio::io_context& io, collectors::HttpClient& client,
                             collectors::bluesky::BlueskyCollector* bluesky,
                             TakedownFilerOptions options)
    : io_(io), client_(client), bluesky_(bluesky), options_(std::move(options)) {}

TakedownFiler::~TakedownFiler() {
  *alive_ = false;
}

std::string TakedownFiler::unavailable(model::Platform platform) const {
  switch (platform) {
    case model::Platform::mastodon:
      if (options_.mastodon_instance.empty() || options_.mastodon_token.empty())
        return "Mastodon のアクセストークン（write:reports）が設定されていないため、mamori "
               "から通報できません";
      return "";
    case model::Platform::bluesky:
      if (bluesky_ == nullptr)
        return "Bluesky の監視が有効になっていないため、mamori から通報できません";
      return "";
    case model::Platform::x:
      return "X には通報の API がありません。フォームから依頼してください";
    case model::Platform::facebook:
    case model::Platform::instagram:
    case model::Platform::youtube:
      return std::string(model::display_name(platform)) +
             " には mamori から使える通報の API がありません。フォームから依頼してください";
  }
  return "対応していないプラットフォームです";
}

void TakedownFiler::file(model::Platform platform, collectors::ReportInput input,
                         std::function<void(FilingResult)> done) {
  boost::asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_), platform,
                          input = std::move(input), done = std::move(done)]() mutable {
    if (alive.expired()) return;
    auto finish = [platform, done = std::move(done)](collectors::HttpResponse res) {
      FilingResult out;
      if (res.outcome != collectors::HttpOutcome::ok) {
        out.answer.error = std::string(collectors::to_string(res.outcome)) +
                           (res.error.empty() ? "" : ": " + res.error);
      } else {
        out.raw = res.body;
        out.answer = platform == model::Platform::mastodon
                         ? collectors::mastodon::parse_report_answer(res.status, res.body)
                         : collectors::bluesky::parse_report_answer(res.status, res.body);
      }
      log::info("takedown.filed", {{"platform", std::string(model::to_string(platform))},
                                   {"accepted", out.answer.accepted},
                                   {"report_id", out.answer.report_id},
                                   {"error", out.answer.error}});
      done(std::move(out));
    };
    const std::string why = unavailable(platform);
    if (!why.empty()) {
      collectors::HttpResponse res;
      res.outcome = collectors::HttpOutcome::other_error;
      res.error = why;
      finish(std::move(res));
      return;
    }
    if (platform == model::Platform::mastodon) {
      auto r = collectors::mastodon::report_request(options_.mastodon_instance,
                                                    options_.mastodon_token, input);
      r.timeout = options_.timeout;
      client_.fetch(std::move(r), std::move(finish));
    } else {
      auto r = collectors::bluesky::report_request(options_.bluesky_pds, input);
      r.timeout = options_.timeout;
      bluesky_->fetch_with_session(std::move(r), std::move(finish));
    }
  });
}

}  // namespace mamori::incidents
