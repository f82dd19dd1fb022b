// Files takedown reports through the platforms' report APIs on the daemon's loop: Mastodon with
// the configured access token (scope write:reports), Bluesky through the collector's session
// (createReport proxied to Bluesky's moderation service). X has no report API: staff use its
// form (takedowns.h). The answer is handed back as the platform sent it and as parsed.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>

#include "collectors/common/report.h"
#include "collectors/http/http_client.h"
#include "model/platform.h"

namespace mamori::collectors::bluesky {
class BlueskyCollector;
}

namespace mamori::incidents {

struct TakedownFilerOptions {
  std::string mastodon_instance;
  std::string mastodon_token;  // empty: Mastodon reports cannot be filed
  std::string bluesky_pds;
  std::chrono::milliseconds timeout{30000};
  // New requests' response period where no law sets one ([reminders] takedown_response).
  std::chrono::seconds own_response_period{std::chrono::days(3)};
};

struct FilingResult {
  collectors::ReportAnswer answer;
  std::string raw;  // the platform's answer body, as received
};

class TakedownFiler {
 public:
  // `client` and `bluesky` (may be null: Bluesky disabled) must outlive the filer.
  TakedownFiler(boost::asio::io_context& io, collectors::HttpClient& client,
                collectors::bluesky::BlueskyCollector* bluesky, TakedownFilerOptions options);
  ~TakedownFiler();
  TakedownFiler(const TakedownFiler&) = delete;
  TakedownFiler& operator=(const TakedownFiler&) = delete;

  // Empty when `platform` can be filed with; else why not (Japanese, for staff).
  std::string unavailable(model::Platform platform) const;
  // Sends the report; callable from any thread (the work runs on the loop). `done` runs on the
  // loop exactly once, unless the filer is destroyed first.
  void file(model::Platform platform, collectors::ReportInput input,
            std::function<void(FilingResult)> done);

  // On the loop: the period new requests get where no law sets one (a reload changes it).
  std::chrono::seconds own_response_period() const { return options_.own_response_period; }
  void set_own_response_period(std::chrono::seconds p) { options_.own_response_period = p; }

 private:
  boost::asio::io_context& io_;
  collectors::HttpClient& client_;
  collectors::bluesky::BlueskyCollector* bluesky_;
  TakedownFilerOptions options_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace mamori::incidents
