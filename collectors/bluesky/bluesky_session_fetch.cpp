#include <memory>

#include "collectors/bluesky/bluesky_collector.h"

namespace mamori::collectors::bluesky {

void BlueskyCollector::fetch_with_session(HttpRequest r, std::function<void(HttpResponse)> done) {
  // attempt(true): the first try; an expired token clears the session and tries once more.
  auto attempt = std::make_shared<std::function<void(bool)>>();
  *attempt = [this, r = std::move(r), done = std::move(done),
              weak = std::weak_ptr<std::function<void(bool)>>(attempt)](bool may_retry) {
    // The pending callbacks hold `attempt` alive (it holds itself only weakly: no cycle).
    with_session([this, r, done, strong = weak.lock(), may_retry](const std::string& error) {
      if (!error.empty()) {
        HttpResponse failed;
        failed.outcome = HttpOutcome::other_error;
        failed.error = "no Bluesky session: " + error;
        done(std::move(failed));
        return;
      }
      HttpRequest request = r;
      std::erase_if(request.headers, [](const auto& h) { return h.first == "Authorization"; });
      request.headers.emplace_back("Authorization", "Bearer " + access_jwt_);
      client_.fetch(std::move(request), [this, done, strong, may_retry](HttpResponse res) {
        const bool expired = res.outcome == HttpOutcome::ok && res.status == 400 &&
                             res.body.find("ExpiredToken") != std::string::npos;
        if (!expired || !may_retry || !strong) {
          done(std::move(res));
          return;
        }
        access_jwt_.clear();
        (*strong)(false);
      });
    });
  };
  (*attempt)(true);
}

}  // namespace mamori::collectors::bluesky
