// Reads the Instagram @mentions Meta's webhook queued (mention_queue.h), on the instance holding
// the mentioned account's poll lease (daemon/polling/leases.h) — the one that polls its
// comments, so a mention joins the same reply-rate series and detectors. Each round claims the
// due mentions of the held Instagram accounts, reads each through the governed Instagram client
// (mentioned_media, or mentioned_comment when the mention is in a comment), stores the post
// through the observation store like every other comment and hands what was new to the
// detectors (a rumour in a mention is a デマ incident as under the city's own post). A failed
// read (network, token, rate limit, Meta's server) is due again after retry_after × attempts (at
// most max_retry_after): a queued mention is never dropped. Only an answer that the media or
// comment is not there (deleted, private, comments off) settles it as unavailable. Each round
// also sets mamori_instagram_mentions_pending, the queue's depth (on every instance alike).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "collectors/instagram/instagram_collector.h"
#include "daemon/polling/poller.h"
#include "daemon/store/database.h"
#include "daemon/webhooks/mention_queue.h"

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
class Gauge;
}  // namespace prometheus

namespace mamori::webhooks {

struct MentionReaderOptions {
  std::string instance;  // claims are made in this name (PollLeases::instance())
  std::chrono::milliseconds interval{5000};
  std::chrono::seconds retry_after{30};
  std::chrono::seconds max_retry_after{600};
  std::chrono::seconds claim_for{120};
  std::size_t batch = 20;
};

// What a read's answer means for the queued row.
enum class MentionReadOutcome { stored, unavailable, retry };
// Pure: decided from the page alone (tested without a network).
MentionReadOutcome classify_mention_page(const collectors::Page& page, std::string& reason);

class MentionReader {
 public:
  // `held` lists the official Instagram handles this instance polls (all of them without
  // leases); `listener` gets the stored batches, as from the poller.
  MentionReader(boost::asio::io_context& io, store::Database& database,
                collectors::instagram::InstagramCollector& client,
                std::function<std::vector<std::string>()> held,
                polling::ObservationListener* listener, MentionReaderOptions options,
                prometheus::Registry* registry);
  ~MentionReader();
  MentionReader(const MentionReader&) = delete;
  MentionReader& operator=(const MentionReader&) = delete;

  void start();
  // Reads in flight finish their request; nothing more is claimed or stored. Claimed rows
  // not settled are claimed again once their claim runs out.
  void stop();
  // A round now (from any thread): the webhook queued something.
  void wake();

 private:
  void round();
  void schedule(std::chrono::steady_clock::duration after);
  void read_next(std::shared_ptr<std::vector<QueuedMention>> claimed, std::size_t index);
  void settle(std::shared_ptr<std::vector<QueuedMention>> claimed, std::size_t index,
              collectors::Page page);
  void count(std::string_view result);

  boost::asio::io_context& io_;
  store::Database& database_;
  collectors::instagram::InstagramCollector& client_;
  std::function<std::vector<std::string>()> held_;
  polling::ObservationListener* listener_;
  MentionReaderOptions options_;
  prometheus::Family<prometheus::Counter>* reads_ = nullptr;
  prometheus::Gauge* pending_ = nullptr;  // mamori_instagram_mentions_pending, set each round
  boost::asio::steady_timer timer_;
  bool running_ = false;  // a round is claiming or reading
  bool again_ = false;    // woken while it was
  bool stopped_ = true;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace mamori::webhooks
