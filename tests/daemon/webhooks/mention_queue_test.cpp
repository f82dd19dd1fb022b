// The queue of webhook mentions on real PostgreSQL (webhooks/mention_queue.h): a redelivery adds
// nothing, two instances never claim the same mention, a failed read comes back only when due,
// a settled mention never comes back.
#include "daemon/webhooks/mention_queue.h"

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <set>

#include "daemon/store/connection.h"
#include "daemon/store/migrations.h"
#include "tests/support/fake_platform.h"

namespace mamori::webhooks {
namespace {

using collectors::instagram::MentionEvent;

struct Queue {
  testing::ScratchDatabase db;
  std::unique_ptr<pqxx::connection> c = store::connect(db.dsn(), std::nullopt);
  Queue() {
    store::apply_migrations(*c);
    pqxx::work tx(*c);
    tx.exec(
        "INSERT INTO official_accounts (platform, handle, account_id) VALUES"
        " ('instagram', 'soma_city', '17841400000000001'),"
        " ('instagram', 'soma_kanko', '17841400000000002')");
    tx.commit();
  }
  std::string q(const std::string& sql) { return testing::sql(db.dsn(), sql); }
};

MentionEvent mention(std::string account, std::string media,
                     std::optional<std::string> comment = std::nullopt) {
  return MentionEvent{std::move(account), std::move(media), std::move(comment)};
}

TEST(MentionQueue, ARedeliveryAddsNothing) {
  Queue queue;
  const std::vector<MentionEvent> events = {mention("17841400000000001", "1790"),
                                            mention("17841400000000001", "1790", "1791")};
  EXPECT_EQ(enqueue_mentions(*queue.c, events), 2u);
  EXPECT_EQ(enqueue_mentions(*queue.c, events), 0u);
  EXPECT_EQ(enqueue_mentions(*queue.c, {mention("17841400000000001", "1790", "1792")}), 1u);
  EXPECT_EQ(queue.q("SELECT count(*) FROM instagram_mentions"), "3");
  EXPECT_EQ(queued_mentions(*queue.c), 3);
}

TEST(MentionQueue, OnlyTheHeldAccountsMentionsAreClaimedAndEachByOneInstance) {
  Queue queue;
  std::vector<MentionEvent> events;
  for (int i = 0; i < 6; ++i)
    events.push_back(mention("17841400000000001", std::to_string(100 + i)));
  events.push_back(mention("17841400000000002", "200"));
  events.push_back(mention("17841499999999999", "300"));  // no configured account has this id
  enqueue_mentions(*queue.c, events);

  auto other = store::connect(queue.db.dsn(), std::nullopt);
  const auto a = claim_due_mentions(*queue.c, {"soma_city"}, "a", 4, std::chrono::seconds(60));
  const auto b =
      claim_due_mentions(*other, {"SOMA_CITY", "soma_kanko"}, "b", 10, std::chrono::seconds(60));
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0].media_id, "100");  // oldest first
  EXPECT_EQ(a[0].handle, "soma_city");
  EXPECT_EQ(a[0].attempts, 1);
  ASSERT_EQ(b.size(), 3u);  // the two soma_city mentions a left, and soma_kanko's
  std::set<std::int64_t> ids;
  for (const auto& m : a) ids.insert(m.id);
  for (const auto& m : b) ids.insert(m.id);
  EXPECT_EQ(ids.size(), 7u);
  // Claimed rows are nobody else's until their claim runs out.
  EXPECT_TRUE(
      claim_due_mentions(*queue.c, {"soma_city", "soma_kanko"}, "c", 10, std::chrono::seconds(60))
          .empty());
  EXPECT_TRUE(claim_due_mentions(*queue.c, {}, "c", 10, std::chrono::seconds(60)).empty());
}

TEST(MentionQueue, ARetryComesBackWhenDueAndASettledMentionNever) {
  Queue queue;
  enqueue_mentions(*queue.c, {mention("17841400000000001", "1790", "1791"),
                              mention("17841400000000001", "1793")});
  auto claimed = claim_due_mentions(*queue.c, {"soma_city"}, "a", 10, std::chrono::seconds(60));
  ASSERT_EQ(claimed.size(), 2u);
  retry_mention_later(*queue.c, claimed[0].id, std::chrono::seconds(30), "HTTP 500");
  mark_mention_unavailable(*queue.c, claimed[1].id, "HTTP 400: Graph API error 100/33");
  EXPECT_TRUE(
      claim_due_mentions(*queue.c, {"soma_city"}, "a", 10, std::chrono::seconds(60)).empty());
  EXPECT_EQ(queue.q("SELECT state || ' ' || last_error FROM instagram_mentions WHERE id = " +
                    std::to_string(claimed[0].id)),
            "queued HTTP 500");
  // Due again: claimed with its attempts counted.
  queue.q("UPDATE instagram_mentions SET next_attempt_at = now() - interval '1 second'");
  claimed = claim_due_mentions(*queue.c, {"soma_city"}, "b", 10, std::chrono::seconds(60));
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].comment_id, "1791");
  EXPECT_EQ(claimed[0].attempts, 2);

  model::Post post;
  post.platform = model::Platform::instagram;
  post.post_id = "1791";
  post.text = "@soma_city 上流のダムが決壊したらしい";
  const auto batch = complete_mention(*queue.c, claimed[0].id, {post});
  EXPECT_EQ(batch.new_posts.size(), 1u);
  EXPECT_EQ(
      queue.q("SELECT state FROM instagram_mentions WHERE id = " + std::to_string(claimed[0].id)),
      "done");
  EXPECT_EQ(queue.q("SELECT count(*) FROM observed_posts WHERE post_id = '1791'"), "1");
  EXPECT_EQ(queued_mentions(*queue.c), 0);
  // A claim that ran out (its reader died) is free again.
  enqueue_mentions(*queue.c, {mention("17841400000000001", "1795")});
  ASSERT_EQ(claim_due_mentions(*queue.c, {"soma_city"}, "a", 10, std::chrono::seconds(0)).size(),
            1u);
  queue.q("SELECT pg_sleep(0.01)");
  EXPECT_EQ(claim_due_mentions(*queue.c, {"soma_city"}, "b", 10, std::chrono::seconds(60)).size(),
            1u);
}

}  // namespace
}  // namespace mamori::webhooks
