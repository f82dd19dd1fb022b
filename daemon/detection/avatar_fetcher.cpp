#include "daemon/detection/avatar_fetcher.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <opencv2/core/utility.hpp>
#include <span>

#include "daemon/incidents/incident_store.h"
#include "daemon/log/log.h"
#include "daemon/metrics/event_loop_meter.h"
#include "detectors/impersonation/avatar_png.h"

namespace mamori::detection {

namespace asio = boost::asio;
namespace imp = detectors::impersonation;

namespace {

std::string_view role_label(AvatarRole role) {
  return role == AvatarRole::official ? "official" : "candidate";
}

// Decoding, hashing and re-encoding: the costly part, run on the worker thread.
FetchedAvatar process(FetchedAvatar out, const std::string& body,
                      const AvatarFetcherOptions& options) {
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(body.data()),
                                            body.size());
  out.original_sha256 = incidents::sha256_hex(body);
  out.original_bytes = body.size();
  if (out.role == AvatarRole::official) {
    auto r = imp::compute_official_avatar_hash(bytes, options.limits);
    if (!r.ok()) {
      out.outcome =
          std::string(imp::to_string(r.rejection.value_or(imp::AvatarRejection::decode_failed)));
      out.message = std::move(r.message);
      return out;
    }
    out.hash = r.hash->whole;
    out.official_hash = std::make_shared<const imp::OfficialAvatarHash>(std::move(*r.hash));
  } else {
    auto r = imp::compute_avatar_hash(bytes, options.limits);
    if (!r.ok()) {
      out.outcome =
          std::string(imp::to_string(r.rejection.value_or(imp::AvatarRejection::decode_failed)));
      out.message = std::move(r.message);
      return out;
    }
    out.hash = *r.hash;
  }
  // Evidence: mamori's own PNG, never the served bytes. A failure here keeps the hash.
  auto png = imp::render_evidence_png(bytes, options.limits, options.evidence_side);
  if (png.ok()) {
    out.png = std::move(png.image->png);
    out.png_width = png.image->width;
    out.png_height = png.image->height;
    out.original_format = std::string(imp::to_string(png.image->original.format));
    out.original_width = png.image->original.width;
    out.original_height = png.image->original.height;
  } else {
    out.message = "evidence PNG not produced: " + png.message;
  }
  out.outcome = "ok";
  return out;
}

}  // namespace

std::size_t FetchedAvatar::memory_bytes() const {
  std::size_t n = sizeof(FetchedAvatar) + url.capacity() + message.capacity() + png.capacity() +
                  original_sha256.capacity() + outcome.capacity();
  if (official_hash) {
    n += sizeof(imp::OfficialAvatarHash);
    if (official_hash->crops) n += official_hash->crops->capacity() * sizeof(imp::CropHash);
  }
  return n;
}

AvatarFetcher::AvatarFetcher(asio::io_context& io,
                             std::vector<collectors::PlatformCollector*> collectors,
                             AvatarFetcherOptions options, prometheus::Registry* registry)
    : io_(io), collectors_(std::move(collectors)), options_(std::move(options)), timer_(io) {
  // Icons are decoded and hashed on this fetcher's own worker, off the event loop. OpenCV's
  // parallel_for pool (TBB) beside it only spun: at 2,000 accounts it took ~30 % of mamorid's
  // CPU in sched_yield on a 2-core machine (perf, bench/scale/run.sh), for icons of 400 px.
  cv::setNumThreads(0);
  if (registry != nullptr) {
    fetches_ =
        &prometheus::BuildCounter()
             .Name("mamori_avatar_fetches_total")
             .Help(
                 "Avatar fetches for impersonation checks by platform, role (official, candidate) "
                 "and outcome (ok, fetch_too_large, http_4xx, too_many_pixels, decode_failed, "
                 "skipped_budget, ...)")
             .Register(*registry);
    process_seconds_ = &prometheus::BuildHistogram()
                            .Name("mamori_avatar_processing_seconds")
                            .Help("Time to decode, hash and re-encode one avatar (worker thread)")
                            .Register(*registry);
  }
}

AvatarFetcher::~AvatarFetcher() {
  stop();
  pool_.stop();
  pool_.join();
}

void AvatarFetcher::stop() {
  stopped_ = true;
  timer_.cancel();
  pending_.clear();
  official_queue_.clear();
  candidate_queue_.clear();
}

std::string AvatarFetcher::key_of(const std::string& url, AvatarRole role) {
  return std::string(role == AvatarRole::official ? "o " : "c ") + url;
}

collectors::PlatformCollector* AvatarFetcher::collector_for(model::Platform p) const {
  for (auto* c : collectors_) {
    if (c->platform() == p) return c;
  }
  return nullptr;
}

AvatarPtr AvatarFetcher::cached(const std::string& url, AvatarRole role) const {
  const auto it = cache_.find(key_of(url, role));
  return it == cache_.end() ? nullptr : it->second.result;
}

void AvatarFetcher::fetch(model::Platform platform, const std::string& url, AvatarRole role,
                          Done done) {
  fetch(platform, url, role, std::move(done), 0.0);
}

void AvatarFetcher::fetch(model::Platform platform, const std::string& url, AvatarRole role,
                          Done done, double priority) {
  if (stopped_) return;
  // What the caller does with the icon (judging a candidate against the officials) runs on the
  // loop: measured by the role it was asked for.
  done = metrics::EventLoopMeter::wrap(
      role == AvatarRole::official ? "avatar.official_done" : "avatar.candidate_done",
      std::move(done));
  const std::string key = key_of(url, role);
  if (auto it = cache_.find(key); it != cache_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.position);
    asio::post(
        io_, [alive = std::weak_ptr<bool>(alive_), done = std::move(done), r = it->second.result] {
          if (!alive.expired()) done(r);
        });
    return;
  }
  if (auto it = pending_.find(key); it != pending_.end()) {
    it->second.waiters.push_back(std::move(done));
    return;
  }
  auto& queue = candidate_queue_[platform];
  if (role == AvatarRole::candidate && queue.size() >= options_.max_queued && !queue.empty() &&
      pending_.at(queue.back()).priority < priority) {
    const std::string lowest = queue.back();
    queue.pop_back();
    skip(lowest, "avatar queue full (" + std::to_string(options_.max_queued) +
                     "); a likelier candidate came");
  }
  if (role == AvatarRole::candidate && queue.size() >= options_.max_queued) {
    auto skipped = std::make_shared<FetchedAvatar>();
    skipped->platform = platform;
    skipped->role = role;
    skipped->url = url;
    skipped->outcome = "skipped_budget";
    skipped->message = "avatar queue full (" + std::to_string(options_.max_queued) + ")";
    count(*skipped);
    asio::post(io_, [alive = std::weak_ptr<bool>(alive_), done = std::move(done), skipped] {
      if (!alive.expired()) done(skipped);
    });
    return;
  }
  Pending& p = pending_[key];
  p.platform = platform;
  p.url = url;
  p.role = role;
  p.priority = priority;
  p.waiters.push_back(std::move(done));
  if (role == AvatarRole::official) {
    official_queue_.push_back(key);
  } else {
    // Highest priority first; equal priorities in arrival order.
    const auto at = std::find_if(queue.begin(), queue.end(), [&](const std::string& k) {
      return pending_.at(k).priority < priority;
    });
    queue.insert(at, key);
  }
  pump();
}

bool AvatarFetcher::take_token(model::Platform p) {
  auto [it, fresh] = buckets_.try_emplace(p, options_.candidate_fetches_per_minute / 60.0,
                                          options_.candidate_burst);
  return it->second.take(std::chrono::steady_clock::now());
}

void AvatarFetcher::pump() {
  if (stopped_) return;
  // Officials first and outside the budget: they are few and every comparison needs them.
  while (in_flight_ < options_.max_in_flight && !official_queue_.empty()) {
    const std::string key = official_queue_.front();
    official_queue_.pop_front();
    start(key);
  }
  bool waiting_for_budget = false;
  for (auto& [platform, queue] : candidate_queue_) {
    while (in_flight_ < options_.max_in_flight && !queue.empty()) {
      if (!take_token(platform)) {
        waiting_for_budget = true;
        break;
      }
      const std::string key = queue.front();
      queue.pop_front();
      start(key);
    }
  }
  if (waiting_for_budget && !timer_armed_ && options_.candidate_fetches_per_minute > 0) {
    timer_armed_ = true;
    timer_.expires_after(std::chrono::milliseconds(
        static_cast<long long>(60000.0 / options_.candidate_fetches_per_minute) + 1));
    timer_.async_wait(
        [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
          if (ec || alive.expired()) return;
          timer_armed_ = false;
          pump();
        });
  }
}

void AvatarFetcher::start(const std::string& key) {
  const auto it = pending_.find(key);
  if (it == pending_.end()) return;
  collectors::PlatformCollector* collector = collector_for(it->second.platform);
  if (collector == nullptr) {
    auto r = std::make_shared<FetchedAvatar>();
    r->platform = it->second.platform;
    r->role = it->second.role;
    r->url = it->second.url;
    r->outcome = "no_collector";
    r->message = "no collector for this platform";
    finish(key, r, false);
    return;
  }
  ++in_flight_;
  collector->fetch_avatar(
      it->second.url, options_.max_bytes,
      [this, key, alive = std::weak_ptr<bool>(alive_)](collectors::HttpResponse response) {
        if (alive.expired()) return;
        --in_flight_;
        const metrics::EventLoopMeter::Scope metered("avatar.response");
        on_response(key, std::move(response));
        pump();
      });
}

void AvatarFetcher::on_response(const std::string& key, collectors::HttpResponse response) {
  const auto it = pending_.find(key);
  if (it == pending_.end()) return;  // stopped meanwhile
  FetchedAvatar base;
  base.platform = it->second.platform;
  base.role = it->second.role;
  base.url = it->second.url;
  if (response.outcome != collectors::HttpOutcome::ok || response.status != 200) {
    auto r = std::make_shared<FetchedAvatar>(std::move(base));
    if (response.outcome != collectors::HttpOutcome::ok) {
      r->outcome = "fetch_" + std::string(collectors::to_string(response.outcome));
      r->message = response.error;
    } else {
      r->outcome = response.status >= 500 ? "http_5xx" : "http_4xx";
      r->message = "HTTP " + std::to_string(response.status);
    }
    // A body cut at the cap is the same next time: remembered; other failures are retried.
    finish(key, r, response.outcome == collectors::HttpOutcome::too_large);
    return;
  }
  asio::post(pool_, [this, key, base = std::move(base), body = std::move(response.body),
                     options = options_, alive = std::weak_ptr<bool>(alive_)]() mutable {
    const auto started = std::chrono::steady_clock::now();
    auto result = std::make_shared<FetchedAvatar>(process(std::move(base), body, options));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // `alive` is only read on the loop's thread; the pool is joined before this object goes.
    asio::post(io_, [this, key, result, seconds, alive] {
      if (alive.expired()) return;
      const metrics::EventLoopMeter::Scope metered("avatar.hashed");
      if (process_seconds_ != nullptr) {
        process_seconds_
            ->Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
                                                              0.1, 0.25, 1})
            .Observe(seconds);
      }
      finish(key, result, true);
    });
  });
}

void AvatarFetcher::finish(const std::string& key, AvatarPtr result, bool cacheable) {
  count(*result);
  if (!result->ok()) {
    log::warn("detection.avatar_refused", {{"platform", model::to_string(result->platform)},
                                           {"role", role_label(result->role)},
                                           {"url", result->url},
                                           {"outcome", result->outcome},
                                           {"detail", result->message}});
  }
  const auto it = pending_.find(key);
  if (it == pending_.end()) return;
  std::vector<Done> waiters = std::move(it->second.waiters);
  pending_.erase(it);
  if (cacheable) remember(key, result);
  for (auto& done : waiters) {
    asio::post(io_, [alive = std::weak_ptr<bool>(alive_), done = std::move(done), result] {
      if (!alive.expired()) done(result);
    });
  }
}

void AvatarFetcher::skip(const std::string& key, std::string message) {
  const auto it = pending_.find(key);
  if (it == pending_.end()) return;
  auto r = std::make_shared<FetchedAvatar>();
  r->platform = it->second.platform;
  r->role = it->second.role;
  r->url = it->second.url;
  r->outcome = "skipped_budget";
  r->message = std::move(message);
  count(*r);
  std::vector<Done> waiters = std::move(it->second.waiters);
  pending_.erase(it);
  for (auto& done : waiters) {
    asio::post(io_, [alive = std::weak_ptr<bool>(alive_), done = std::move(done), r] {
      if (!alive.expired()) done(r);
    });
  }
}

void AvatarFetcher::remember(const std::string& key, AvatarPtr result) {
  if (auto it = cache_.find(key); it != cache_.end()) {
    cache_bytes_ -= it->second.result->memory_bytes();
    lru_.erase(it->second.position);
    cache_.erase(it);
  }
  lru_.push_front(key);
  cache_bytes_ += result->memory_bytes();
  cache_.emplace(key, Cached{std::move(result), lru_.begin()});
  // Least recently used out first; the newest entry always stays.
  while ((cache_.size() > options_.cache_entries || cache_bytes_ > options_.cache_bytes) &&
         cache_.size() > 1) {
    const auto victim = cache_.find(lru_.back());
    cache_bytes_ -= victim->second.result->memory_bytes();
    cache_.erase(victim);
    lru_.pop_back();
  }
}

void AvatarFetcher::count(const FetchedAvatar& r) {
  if (fetches_ == nullptr) return;
  fetches_
      ->Add({{"platform", std::string(model::to_string(r.platform))},
             {"role", std::string(role_label(r.role))},
             {"outcome", r.outcome}})
      .Increment();
}

}  // namespace mamori::detection
