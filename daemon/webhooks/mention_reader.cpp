#include "daemon/webhooks/mention_reader.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cstdlib>
#include <variant>

#include "daemon/log/log.h"

namespace mamori::webhooks {
namespace {

namespace asio = boost::asio;

// "Graph API error 100/33 (OAuthException): ..." -> 100 (graph::describe's form).
std::optional<long> graph_code(const std::string& message) {
  constexpr std::string_view kPrefix = "Graph API error ";
  if (message.rfind(kPrefix, 0) != 0) return std::nullopt;
  char* end = nullptr;
  const long code = std::strtol(message.c_str() + kPrefix.size(), &end, 10);
  if (end == message.c_str() + kPrefix.size()) return std::nullopt;
  return code;
}

std::string first_error(const collectors::Page& page) {
  for (const auto& o : page.result.observations) {
    if (const auto* e = std::get_if<model::ObservationError>(&o)) return e->message;
  }
  return {};
}

}  // namespace

MentionReadOutcome classify_mention_page(const collectors::Page& page, std::string& reason) {
  if (page.response.outcome != collectors::HttpOutcome::ok) {
    reason = std::string(collectors::to_string(page.response.outcome));
    if (!page.response.error.empty()) reason += ": " + page.response.error;
    return MentionReadOutcome::retry;
  }
  const bool has_post =
      std::any_of(page.result.observations.begin(), page.result.observations.end(),
                  [](const auto& o) { return std::holds_alternative<model::Post>(o); });
  if (page.result.outcome == collectors::ParseOutcome::ok && has_post)
    return MentionReadOutcome::stored;
  const std::string error = first_error(page);
  reason = "HTTP " + std::to_string(page.response.status);
  if (!error.empty()) reason += ": " + error;
  if (page.result.outcome == collectors::ParseOutcome::ok) {
    reason += " (no media or comment in the answer)";
    return MentionReadOutcome::unavailable;
  }
  // The object is not there for us: (#100) nonexisting or unsupported object, (#10) no
  // permission on it (private account), 803 unknown alias, comments turned off. Tokens (190),
  // rate limits (4, 17, 32, 613, 800xx) and server errors are passing: read again later.
  const auto code = graph_code(error);
  const int status = page.response.status;
  if ((status == 400 || status == 404) && code && (*code == 100 || *code == 10 || *code == 803))
    return MentionReadOutcome::unavailable;
  return MentionReadOutcome::retry;
}

MentionReader::MentionReader(asio::io_context& io, store::Database& database,
                             collectors::instagram::InstagramCollector& client,
                             std::function<std::vector<std::string>()> held,
                             polling::ObservationListener* listener, MentionReaderOptions options,
                             prometheus::Registry* registry)
    : io_(io),
      database_(database),
      client_(client),
      held_(std::move(held)),
      listener_(listener),
      options_(std::move(options)),
      timer_(io) {
  if (registry != nullptr) {
    reads_ = &prometheus::BuildCounter()
                  .Name("mamori_instagram_mentions_read_total")
                  .Help(
                      "Queued Instagram @mentions read by this instance: stored, unavailable "
                      "(deleted or private), retry (read again later)")
                  .Register(*registry);
    pending_ = &prometheus::BuildGauge()
                    .Name("mamori_instagram_mentions_pending")
                    .Help(
                        "Instagram @mentions queued by Meta's webhook and not yet settled (read "
                        "or unavailable), in the whole database")
                    .Register(*registry)
                    .Add({});
  }
}

MentionReader::~MentionReader() {
  stop();
}

void MentionReader::start() {
  stopped_ = false;
  schedule(std::chrono::milliseconds(0));
}

void MentionReader::stop() {
  stopped_ = true;
  timer_.cancel();
}

void MentionReader::wake() {
  std::weak_ptr<bool> alive = alive_;
  asio::post(io_, [this, alive] {
    if (alive.expired() || stopped_) return;
    if (running_) {
      again_ = true;
      return;
    }
    schedule(std::chrono::milliseconds(0));
  });
}

void MentionReader::count(std::string_view result) {
  if (reads_ != nullptr) reads_->Add({{"result", std::string(result)}}).Increment();
}

void MentionReader::schedule(std::chrono::steady_clock::duration after) {
  if (stopped_) return;
  timer_.expires_after(after);
  std::weak_ptr<bool> alive = alive_;
  timer_.async_wait([this, alive](const boost::system::error_code& ec) {
    if (ec || alive.expired() || stopped_ || running_) return;
    round();
  });
}

void MentionReader::round() {
  const auto handles = held_ ? held_() : std::vector<std::string>{};
  if (handles.empty() || !database_.ready()) {
    // Nothing to read here (another instance holds the accounts): the queue's depth all the same.
    if (pending_ != nullptr && database_.ready()) {
      database_.submit("webhooks.pending_mentions", [pending = pending_](pqxx::connection& c) {
        pending->Set(static_cast<double>(queued_mentions(c)));
      });
    }
    schedule(options_.interval);
    return;
  }
  running_ = true;
  again_ = false;
  std::weak_ptr<bool> alive = alive_;
  auto claimed = std::make_shared<std::vector<QueuedMention>>();
  const bool queued = database_.submit(
      "webhooks.claim_mentions",
      [claimed, handles, o = options_, pending = pending_](pqxx::connection& c) {
        *claimed = claim_due_mentions(c, handles, o.instance, o.batch, o.claim_for);
        if (pending != nullptr) pending->Set(static_cast<double>(queued_mentions(c)));
      },
      [this, alive, claimed](std::exception_ptr error) {
        asio::post(io_, [this, alive, claimed, failed = error != nullptr] {
          if (alive.expired()) return;
          if (failed || stopped_) claimed->clear();
          read_next(claimed, 0);
        });
      });
  if (!queued) {
    running_ = false;
    schedule(options_.interval);
  }
}

void MentionReader::read_next(std::shared_ptr<std::vector<QueuedMention>> claimed,
                              std::size_t index) {
  if (stopped_ || index >= claimed->size()) {
    running_ = false;
    // A full batch may have more behind it: go on at once.
    const bool more = again_ || (!claimed->empty() && claimed->size() >= options_.batch &&
                                 index >= claimed->size());
    schedule(
        more ? std::chrono::steady_clock::duration::zero()
             : std::chrono::duration_cast<std::chrono::steady_clock::duration>(options_.interval));
    return;
  }
  const QueuedMention& m = (*claimed)[index];
  std::weak_ptr<bool> alive = alive_;
  auto done = [this, alive, claimed, index](collectors::Page page) {
    // Collectors answer on the loop; posted anyway so a synchronous answer does not recurse.
    asio::post(io_, [this, alive, claimed, index, page = std::move(page)]() mutable {
      if (alive.expired()) return;
      settle(claimed, index, std::move(page));
    });
  };
  if (m.comment_id.empty()) {
    client_.mentioned_media(m.ig_user_id, m.media_id, std::move(done));
  } else {
    client_.mentioned_comment(m.ig_user_id, m.comment_id, std::move(done));
  }
}

void MentionReader::settle(std::shared_ptr<std::vector<QueuedMention>> claimed, std::size_t index,
                           collectors::Page page) {
  const QueuedMention m = (*claimed)[index];
  if (stopped_) {  // claimed again once the claim runs out
    read_next(claimed, claimed->size());
    return;
  }
  std::string reason;
  const MentionReadOutcome outcome = classify_mention_page(page, reason);
  std::vector<model::Observation> posts;
  for (auto& o : page.result.observations) {
    if (std::holds_alternative<model::Post>(o)) posts.push_back(std::move(o));
  }
  const auto wait = std::min<std::chrono::seconds>(options_.max_retry_after,
                                                   options_.retry_after * std::max(1, m.attempts));
  std::weak_ptr<bool> alive = alive_;
  auto batch = std::make_shared<store::StoredBatch>();
  const bool queued = database_.submit(
      "webhooks.settle_mention",
      [m, outcome, posts = std::move(posts), reason, wait, batch](pqxx::connection& c) {
        switch (outcome) {
          case MentionReadOutcome::stored:
            *batch = complete_mention(c, m.id, posts);
            break;
          case MentionReadOutcome::unavailable:
            mark_mention_unavailable(c, m.id, reason);
            break;
          case MentionReadOutcome::retry:
            retry_mention_later(c, m.id, wait, reason);
            break;
        }
      },
      [this, alive, claimed, index, m, outcome, reason, wait, batch](std::exception_ptr error) {
        asio::post(io_, [this, alive, claimed, index, m, outcome, reason, wait, batch,
                         failed = error != nullptr] {
          if (alive.expired()) return;
          if (failed) {
            // Not settled: the claim runs out and the mention is read again.
            log::warn("instagram.mention_unsettled",
                      {{"mention", static_cast<long long>(m.id)}, {"action", "read again later"}});
          } else if (outcome == MentionReadOutcome::stored) {
            count("stored");
            if (listener_ != nullptr)
              listener_->on_stored(model::Platform::instagram, m.handle, *batch);
          } else if (outcome == MentionReadOutcome::unavailable) {
            count("unavailable");
            log::info("instagram.mention_unavailable", {{"mention", static_cast<long long>(m.id)},
                                                        {"account", m.handle},
                                                        {"reason", reason}});
          } else {
            count("retry");
            log::warn("instagram.mention_retry",
                      {{"mention", static_cast<long long>(m.id)},
                       {"account", m.handle},
                       {"attempts", m.attempts},
                       {"retry_in_s", static_cast<long long>(wait.count())},
                       {"reason", reason}});
          }
          read_next(claimed, index + 1);
        });
      });
  if (!queued) read_next(claimed, index + 1);
}

}  // namespace mamori::webhooks
