// Avatars for the impersonation detector (issue 4): fetched through the platform collectors
// (their media-host allow-list and size cap), hashed with the detector's strict decoder on a
// worker thread (decoding untrusted images never blocks the event loop), re-encoded as a bounded
// PNG for evidence, cached by URL, and held to a per-platform budget so that look-alike search
// results cannot spend the platforms' rate limits on icons.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "collectors/common/collector.h"
#include "collectors/ratelimit/token_bucket.h"
#include "detectors/impersonation/avatar_hash.h"
#include "model/platform.h"

namespace mamori::detection {

// Official icons get the crop grid (compute_official_avatar_hash); candidates the plain hash.
enum class AvatarRole { official, candidate };

struct FetchedAvatar {
  model::Platform platform = model::Platform::x;
  AvatarRole role = AvatarRole::candidate;
  std::string url;
  // "ok", or why there is no hash: "fetch_too_large", "fetch_timeout", "fetch_host_not_allowed",
  // "http_4xx", "http_5xx", an AvatarRejection ("too_many_pixels", "decode_failed", ...),
  // "skipped_budget", "no_collector".
  std::string outcome;
  std::string message;                                       // English detail for the log
  std::optional<detectors::impersonation::AvatarHash> hash;  // both roles
  std::shared_ptr<const detectors::impersonation::OfficialAvatarHash> official_hash;  // officials
  std::string png;  // evidence: re-encoded by mamori, bounded; empty when refused
  int png_width = 0;
  int png_height = 0;
  std::string original_sha256;  // hex SHA-256 of the bytes the platform served
  std::size_t original_bytes = 0;
  std::string original_format;  // "JPEG", "PNG", "WebP"
  std::uint32_t original_width = 0;
  std::uint32_t original_height = 0;

  bool ok() const { return hash.has_value(); }
  std::size_t memory_bytes() const;
};
using AvatarPtr = std::shared_ptr<const FetchedAvatar>;

struct AvatarFetcherOptions {
  std::size_t max_bytes = 2U * 1024U * 1024U;  // transfer cap; larger bodies are aborted
  detectors::impersonation::DecodeLimits limits{2U * 1024U * 1024U, 2048ULL * 2048ULL, 4096};
  int evidence_side = 256;                   // evidence PNGs fit in this square
  double candidate_fetches_per_minute = 60;  // per platform; officials are not counted
  double candidate_burst = 20;
  std::size_t max_queued = 200;  // per platform; beyond it candidates go without an icon
  std::size_t max_in_flight = 4;
  std::size_t cache_entries = 4096;
  std::size_t cache_bytes = 32U * 1024U * 1024U;
};

class AvatarFetcher {
 public:
  using Done = std::function<void(AvatarPtr)>;

  // The collectors and registry (nullable) must outlive this object; runs on `io`'s thread.
  AvatarFetcher(boost::asio::io_context& io, std::vector<collectors::PlatformCollector*> collectors,
                AvatarFetcherOptions options, prometheus::Registry* registry);
  ~AvatarFetcher();
  AvatarFetcher(const AvatarFetcher&) = delete;
  AvatarFetcher& operator=(const AvatarFetcher&) = delete;

  // The result for this URL, from the cache or after fetching it (one transfer for concurrent
  // requests). `done` runs later on the loop's thread (never inside fetch()), with a result whose
  // outcome says why there is no hash when there is none. Not called after stop().
  void fetch(model::Platform platform, const std::string& url, AvatarRole role, Done done);
  // Candidates wait for the budget in order of `priority` (the hub passes the text-only score,
  // so the likeliest impersonators are judged first); when the queue is full the lowest goes.
  void fetch(model::Platform platform, const std::string& url, AvatarRole role, Done done,
             double priority);
  // A cached result, or null.
  AvatarPtr cached(const std::string& url, AvatarRole role) const;
  void stop();

  std::size_t cache_size() const { return cache_.size(); }
  boost::asio::io_context& io() { return io_; }

 private:
  struct Pending {
    model::Platform platform = model::Platform::x;
    std::string url;
    AvatarRole role = AvatarRole::candidate;
    double priority = 0;
    std::vector<Done> waiters;
  };
  static std::string key_of(const std::string& url, AvatarRole role);
  collectors::PlatformCollector* collector_for(model::Platform p) const;
  bool take_token(model::Platform p);
  void pump();
  void start(const std::string& key);
  void on_response(const std::string& key, collectors::HttpResponse response);
  void finish(const std::string& key, AvatarPtr result, bool cacheable);
  void skip(const std::string& key, std::string message);
  void remember(const std::string& key, AvatarPtr result);
  void count(const FetchedAvatar& result);

  boost::asio::io_context& io_;
  std::vector<collectors::PlatformCollector*> collectors_;
  AvatarFetcherOptions options_;
  prometheus::Family<prometheus::Counter>* fetches_ = nullptr;
  prometheus::Family<prometheus::Histogram>* process_seconds_ = nullptr;
  boost::asio::steady_timer timer_;
  bool timer_armed_ = false;
  boost::asio::thread_pool pool_{1};
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool stopped_ = false;

  std::map<std::string, Pending> pending_;  // queued or in flight, by key
  std::deque<std::string> official_queue_;
  std::map<model::Platform, std::deque<std::string>> candidate_queue_;
  std::map<model::Platform, collectors::TokenBucket> buckets_;  // candidates' budget
  std::size_t in_flight_ = 0;

  std::list<std::string> lru_;  // most recent first
  struct Cached {
    AvatarPtr result;
    std::list<std::string>::iterator position;
  };
  std::unordered_map<std::string, Cached> cache_;
  std::size_t cache_bytes_ = 0;
};

}  // namespace mamori::detection
