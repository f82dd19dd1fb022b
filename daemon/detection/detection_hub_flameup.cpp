// DetectionHub's flame-up parts kept out of detection_hub.cpp: warm start of the per-account
// reply-rate detectors from stored history, and their Prometheus gauges.
#include <boost/asio/post.hpp>
#include <exception>
#include <set>

#include "daemon/detection/detection_hub.h"
#include "daemon/detection/flameup_history.h"
#include "daemon/log/log.h"

namespace mamori::detection {

namespace flame = detectors::flameup;

void DetectionHub::warm_start_flameup(
    std::vector<std::pair<model::Platform, std::string>> accounts) {
  if (options_.flameup_history.count() <= 0 || officials_.empty()) return;
  if (accounts.empty()) {
    for (const auto& o : officials_) accounts.emplace_back(o.account.platform, o.account.handle);
  }
  const auto until = clock_.now();
  const auto since =
      until - std::chrono::duration_cast<std::chrono::milliseconds>(options_.flameup_history);
  const auto bucket = flame::Settings{}.bucket;
  std::weak_ptr<bool> alive = alive_;
  // Submitted before the poller starts (or, on a reload, before it learns of the added
  // accounts): the store's queue is FIFO, so the history arrives on the loop before the first
  // new replies do.
  const bool queued = database_.submit(
      "detection.flameup_warm_start",
      [this, alive, accounts, since, until, bucket](pqxx::connection& c) {
        std::vector<ReplyHistory> histories;
        for (const auto& [platform, handle] : accounts) {
          histories.push_back(load_reply_history(c, platform, handle, since, until, bucket));
        }
        boost::asio::post(io_, [this, alive, histories = std::move(histories)] {
          if (alive.expired()) return;
          for (const auto& h : histories) apply_reply_history(h);
        });
      });
  if (!queued) log::warn("flameup.warm_start_dropped", {{"reason", "store queue full"}});
}

void DetectionHub::apply_reply_history(const ReplyHistory& h) {
  const std::string key = rate_key(h.platform, h.handle);
  if (h.account_id.empty() || h.buckets.empty()) {
    // Leased: taken over before this instance looked the profile up; the detector's subject must
    // carry the account id the last holder's incidents carry, not the handle.
    if (options_.leased && !h.account_id.empty() && rates_.count(key) == 0)
      rates_[key] = std::make_unique<flame::ReplyRateDetector>(h.platform, h.account_id,
                                                               rate_settings(h.platform));
    log::info("flameup.warm_start",
              {{"account", key}, {"replies", 0}, {"note", "no stored history; learning from now"}});
    return;
  }
  if (rates_.count(key) > 0) {
    // Replies were judged before the history arrived; the running baseline is kept.
    log::warn("flameup.warm_start_skipped",
              {{"account", key}, {"reason", "detector already running"}});
    return;
  }
  auto detector = std::make_unique<flame::ReplyRateDetector>(h.platform, h.account_id,
                                                             rate_settings(h.platform));
  try {
    detector->warm_start(h.buckets, h.covered_until);
  } catch (const std::exception& e) {
    log::error("flameup.warm_start_failed", {{"account", key}, {"error", e.what()}});
    return;
  }
  const auto& all = detector->all_replies();
  const std::int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  const double per_minute = all.baseline().expected(now_s - now_s % all.bucket_seconds()) * 60.0 /
                            static_cast<double>(all.bucket_seconds());
  log::info("flameup.warm_start", {{"account", key},
                                   {"replies", h.replies},
                                   {"buckets", h.buckets.size()},
                                   {"baseline_per_minute_now", per_minute}});
  rates_[key] = std::move(detector);
}

void DetectionHub::publish_flameup_metrics() {
  if (!flameup_metrics_) return;
  std::set<std::pair<model::Platform, std::string>> accounts;
  for (const auto& o : officials_) {
    const auto it = rates_.find(rate_key(o.account.platform, o.account.handle));
    // Leased: an account held by another instance is that instance's series.
    if (options_.leased && it == rates_.end()) continue;
    accounts.emplace(o.account.platform, o.account.handle);
    if (it != rates_.end() && it->second) {
      flameup_metrics_->update(o.account.platform, o.account.handle, *it->second);
    } else {
      flameup_metrics_->declare(o.account.platform, o.account.handle);
    }
  }
  flameup_metrics_->keep_only(accounts);
}

}  // namespace mamori::detection
