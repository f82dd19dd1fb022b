#include "collectors/ratelimit/governed_http_client.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <deque>
#include <map>
#include <string>

#include "model/time_text.h"

namespace mamori::collectors {
namespace {

struct Pending {
  HttpRequest request;
  HttpClient::Completion done;
  int attempt = 1;
};

// One (platform, endpoint, quota scope): its waiting requests and the timer that wakes them.
struct Lane {
  explicit Lane(boost::asio::io_context& io) : timer(io) {}
  std::string platform;
  std::string endpoint;
  std::string scope;
  std::deque<Pending> queue;
  boost::asio::steady_timer timer;
  bool timer_armed = false;
  model::TimePoint timer_at{};
  std::string_view last_hold_reason;  // a hold is counted once, not at every wake-up
};

bool may_retry(const HttpRequest& request, const HttpResponse& response) {
  if (request.method == "GET" || request.method == "HEAD") return true;
  // A non-idempotent request is repeated only when the platform refused it outright.
  return response.outcome == HttpOutcome::ok && (response.status == 429 || response.status == 503);
}

std::string format_time(model::TimePoint t) {
  return model::iso8601_utc(t);
}

}  // namespace

struct GovernedHttpClient::Core : std::enable_shared_from_this<Core> {
  Core(boost::asio::io_context& io_context, HttpClient& inner_client, ClientMetrics* m,
       const Clock& c, GovernorPolicy policy, RandomSource random)
      : io(io_context),
        inner(inner_client),
        metrics(m),
        clock(c),
        governor(policy, std::move(random)) {}

  Lane& lane_for(const HttpRequest& request) {
    std::string key = request.platform;
    key.push_back('\x1f');
    key += request.endpoint;
    key.push_back('\x1f');
    key += request.quota_scope;
    auto it = lanes.find(key);
    if (it == lanes.end()) {
      auto lane = std::make_unique<Lane>(io);
      lane->platform = request.platform;
      lane->endpoint = request.endpoint;
      lane->scope = request.quota_scope;
      it = lanes.emplace(std::move(key), std::move(lane)).first;
    }
    return *it->second;
  }

  void refuse(Lane& lane, Pending p, HttpOutcome outcome, std::string error) {
    if (metrics != nullptr)
      metrics->request_refused(lane.platform, lane.endpoint, to_string(outcome));
    HttpResponse r;
    r.outcome = outcome;
    r.error = std::move(error);
    boost::asio::post(
        io, [done = std::move(p.done), r = std::move(r)]() mutable { done(std::move(r)); });
  }

  void refuse_all(Lane& lane, HttpOutcome outcome, const std::string& error) {
    while (!lane.queue.empty()) {
      Pending p = std::move(lane.queue.front());
      lane.queue.pop_front();
      refuse(lane, std::move(p), outcome, error);
    }
  }

  void fetch(HttpRequest request, Completion done) {
    if (!done) return;
    Lane& lane = lane_for(request);
    if (stopped) {
      refuse(lane, Pending{std::move(request), std::move(done)}, HttpOutcome::cancelled,
             "HTTP client is shut down");
      return;
    }
    if (lane.queue.size() >= governor.policy().max_queued_per_endpoint) {
      refuse(lane, Pending{std::move(request), std::move(done)}, HttpOutcome::rate_limited,
             "too many requests waiting for " + lane.platform + " " + lane.endpoint);
      return;
    }
    lane.queue.push_back(Pending{std::move(request), std::move(done)});
    pump(lane);
  }

  void pump(Lane& lane) {
    while (!stopped && !lane.queue.empty()) {
      const model::TimePoint now = clock.now();
      const Admission a = governor.admit(lane.platform, lane.endpoint, now, lane.scope);
      if (a.kind == AdmitKind::circuit_open) {
        note_breaker(lane);
        refuse_all(lane, HttpOutcome::circuit_open,
                   "circuit breaker open for " + lane.platform + " " + lane.endpoint +
                       " after repeated failures; next attempt after " + format_time(a.until));
        return;
      }
      if (a.kind == AdmitKind::wait) {
        if (a.until - now > governor.policy().max_hold) {
          refuse_all(lane, HttpOutcome::rate_limited,
                     std::string("held by ") + std::string(a.reason) + " for " + lane.platform +
                         " " + lane.endpoint + " until " + format_time(a.until) +
                         ", longer than allowed");
          return;
        }
        if (lane.last_hold_reason != a.reason && metrics != nullptr) {
          metrics->request_held(lane.platform, lane.endpoint, a.reason);
        }
        lane.last_hold_reason = a.reason;
        arm(lane, now, a.until);
        return;
      }
      lane.last_hold_reason = {};
      note_breaker(lane);  // admit may have moved an open breaker to half-open
      Pending p = std::move(lane.queue.front());
      lane.queue.pop_front();
      if (spend != nullptr) {
        if (auto why = spend->refusal(lane.platform, lane.endpoint, p.request.url, now)) {
          refuse(lane, std::move(p), HttpOutcome::rate_limited,
                 *why == "budget" ? "the monthly API budget for " + lane.platform +
                                        " would be passed by this request"
                                  : "the month's API spend for " + lane.platform +
                                        " is not yet read from the database");
          continue;
        }
      }
      send(lane, std::move(p), now);
    }
  }

  void arm(Lane& lane, model::TimePoint now, model::TimePoint until) {
    if (lane.timer_armed && lane.timer_at <= until) return;
    lane.timer_armed = true;
    lane.timer_at = until;
    lane.timer.expires_after(until - now);
    lane.timer.async_wait(
        [weak = weak_from_this(), lane_ptr = &lane](const boost::system::error_code& ec) {
          if (ec == boost::asio::error::operation_aborted) return;
          auto me = weak.lock();
          if (!me) return;
          lane_ptr->timer_armed = false;
          me->pump(*lane_ptr);
        });
  }

  void send(Lane& lane, Pending p, model::TimePoint now) {
    governor.started(lane.platform, lane.endpoint, now, lane.scope);
    HttpRequest copy = p.request;  // kept for a retry
    auto shared = std::make_shared<Pending>(std::move(p));
    inner.fetch(
        std::move(copy), [weak = weak_from_this(), lane_ptr = &lane, shared](HttpResponse r) {
          if (auto me = weak.lock()) {
            me->on_result(*lane_ptr, std::move(*shared), std::move(r));
          } else {
            shared->done(std::move(r));  // the governed client is gone: just hand the answer over
          }
        });
  }

  void on_result(Lane& lane, Pending p, HttpResponse r) {
    const model::TimePoint now = clock.now();
    const AttemptVerdict verdict =
        governor.finished(lane.platform, lane.endpoint, r, now, lane.scope);
    if (spend != nullptr && r.outcome == HttpOutcome::ok) {
      spend->record(lane.platform, lane.endpoint, r.status, r.body, now);
    }
    if (metrics != nullptr) {
      metrics->request_finished(lane.platform, lane.endpoint, outcome_label(r), r.elapsed);
      const EndpointStatus s = governor.status(lane.platform, lane.endpoint, lane.scope);
      if (s.remaining && r.outcome == HttpOutcome::ok) {
        metrics->quota_remaining(lane.platform, lane.endpoint, *s.remaining);
      }
    }
    note_breaker(lane);
    if (verdict == AttemptVerdict::retryable && !stopped &&
        p.attempt < governor.policy().max_attempts && may_retry(p.request, r)) {
      ++p.attempt;
      lane.queue.push_front(std::move(p));
    } else {
      p.done(std::move(r));
    }
    pump(lane);
  }

  void note_breaker(Lane& lane) {
    if (metrics == nullptr) return;
    const std::string key = lane.platform + '\x1f' + lane.endpoint;
    const BreakerState now_state = governor.status(lane.platform, lane.endpoint).breaker;
    auto [it, inserted] = breaker_seen.emplace(key, now_state);
    if (inserted || it->second != now_state) {
      it->second = now_state;
      metrics->breaker_state(lane.platform, lane.endpoint, now_state);
    }
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    for (auto& [key, lane] : lanes) {
      lane->timer.cancel();
      lane->timer_armed = false;
      refuse_all(*lane, HttpOutcome::cancelled, "HTTP client shut down");
    }
  }

  using Completion = HttpClient::Completion;
  boost::asio::io_context& io;
  HttpClient& inner;
  ClientMetrics* metrics;
  const Clock& clock;
  RequestGovernor governor;
  SpendMeter* spend = nullptr;
  // Lanes are never removed (a fixed, small set of endpoints), so Lane& stays valid.
  std::map<std::string, std::unique_ptr<Lane>> lanes;
  std::map<std::string, BreakerState> breaker_seen;
  bool stopped = false;
};

GovernedHttpClient::GovernedHttpClient(boost::asio::io_context& io, HttpClient& inner,
                                       ClientMetrics* metrics, const Clock& clock,
                                       GovernorPolicy policy, RandomSource random)
    : core_(std::make_shared<Core>(io, inner, metrics, clock, policy, std::move(random))) {}

GovernedHttpClient::~GovernedHttpClient() {
  core_->stop();
}

void GovernedHttpClient::fetch(HttpRequest request, Completion done) {
  core_->fetch(std::move(request), std::move(done));
}

void GovernedHttpClient::shutdown() {
  core_->stop();
}

void GovernedHttpClient::set_spend_meter(SpendMeter* meter) {
  core_->spend = meter;
}

const RequestGovernor& GovernedHttpClient::governor() const {
  return core_->governor;
}

std::size_t GovernedHttpClient::held() const {
  std::size_t n = 0;
  for (const auto& [key, lane] : core_->lanes) n += lane->queue.size();
  return n;
}

}  // namespace mamori::collectors
