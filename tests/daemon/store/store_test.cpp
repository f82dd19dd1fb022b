#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <pqxx/pqxx>
#include <thread>

#include "daemon/metrics/metrics.h"
#include "daemon/store/connection.h"
#include "daemon/store/database.h"
#include "daemon/store/migrations.h"
#include "daemon/store/observation_store.h"
#include "daemon/store/sync.h"
#include "tests/support/fake_platform.h"
#include "tests/support/test_support.h"

namespace mamori::store {
namespace {

using namespace std::chrono_literals;

long long count(const std::string& dsn, const std::string& sql) {
  auto c = connect(dsn, std::nullopt);
  pqxx::nontransaction tx(*c);
  return tx.exec1(sql)[0].as<long long>();
}

TEST(Migrations, ApplyOnceAndRecord) {
  testing::ScratchDatabase db;
  auto c = connect(db.dsn(), std::nullopt);
  const auto first = apply_migrations(*c);
  ASSERT_FALSE(first.applied.empty());
  EXPECT_EQ(first.current_version, embedded_migrations().back().version);
  EXPECT_TRUE(migrations_current(*c));
  const auto second = apply_migrations(*c);
  EXPECT_TRUE(second.applied.empty());
  EXPECT_EQ(second.current_version, first.current_version);
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM schema_migrations"),
            static_cast<long long>(embedded_migrations().size()));
  // The foundation tables exist.
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM observed_posts"), 0);
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM poll_cursors"), 0);
}

TEST(Migrations, ConcurrentRunnersAreSerialized) {
  testing::ScratchDatabase db;
  std::vector<std::future<MigrationReport>> runs;
  for (int i = 0; i < 4; ++i) {
    runs.push_back(std::async(std::launch::async, [&] {
      auto c = connect(db.dsn(), std::nullopt);
      return apply_migrations(*c);
    }));
  }
  std::size_t applied_total = 0;
  for (auto& r : runs) applied_total += r.get().applied.size();
  EXPECT_EQ(applied_total, embedded_migrations().size());
}

TEST(Migrations, FailingMigrationRollsBackAndIsNotRecorded) {
  testing::ScratchDatabase db;
  auto c = connect(db.dsn(), std::nullopt);
  std::vector<Migration> ms = embedded_migrations();
  ms.push_back(
      {9001, "9001_broken", "CREATE TABLE half_made (id int); SELECT no_such_function();"});
  EXPECT_THROW(apply_migrations(*c, ms), pqxx::sql_error);
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM schema_migrations WHERE version = 9001"), 0);
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM pg_tables WHERE tablename = 'half_made'"), 0);
  EXPECT_FALSE(migrations_current(*c, ms));
}

Database::Job insert_post(int n) {
  return [n](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "INSERT INTO observed_posts (platform, post_id, author_id, text, created_at, observed_at)"
        " VALUES ('x', $1, 'a', 'テキスト', now(), now()) ON CONFLICT DO NOTHING",
        std::to_string(n));
    tx.commit();
  };
}

TEST(Database, JobsRunAndCompletionsReportFailures) {
  testing::ScratchDatabase db;
  metrics::DaemonMetrics metrics("test");
  DatabaseOptions o;
  o.dsn = db.dsn();
  Database store(o, &metrics);
  store.start();
  ASSERT_TRUE(store.wait_ready(10s));
  std::promise<void> ok;
  std::promise<std::exception_ptr> bad;
  ASSERT_TRUE(store.submit("ok", insert_post(1), [&](std::exception_ptr e) {
    EXPECT_EQ(e, nullptr);
    ok.set_value();
  }));
  ASSERT_TRUE(store.submit(
      "bad",
      [](pqxx::connection& c) {
        pqxx::work tx(c);
        tx.exec("SELECT * FROM no_such_table");
      },
      [&](std::exception_ptr e) { bad.set_value(e); }));
  ok.get_future().get();
  EXPECT_NE(bad.get_future().get(), nullptr);
  EXPECT_EQ(metrics.db_errors.Value(), 1);
  // The worker keeps going after a failed job.
  std::promise<void> after;
  store.submit("after", insert_post(2), [&](std::exception_ptr) { after.set_value(); });
  after.get_future().get();
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM observed_posts"), 2);
}

TEST(Database, BoundedQueueRefusesWhenFull) {
  metrics::DaemonMetrics metrics("test");
  DatabaseOptions o;
  o.dsn = "host=/nonexistent-mamori-socket-dir dbname=none";  // never connects
  o.queue_capacity = 10;
  Database store(o, &metrics);
  store.start();
  int accepted = 0;
  for (int i = 0; i < 15; ++i) accepted += store.submit("w", insert_post(i)) ? 1 : 0;
  EXPECT_EQ(accepted, 10);
  EXPECT_EQ(metrics.db_jobs_rejected.Value(), 5);
  EXPECT_EQ(metrics.db_queue_depth.Value(), 10);
  EXPECT_FALSE(store.ready());
  EXPECT_EQ(store.drain_and_stop(100ms), 10u);
}

// The database goes away with writes queued and comes back: every write lands, once.
TEST(Database, OutageKeepsQueuedWritesAndDeliversThemAfterReconnect) {
  testing::OwnPostgres pg;
  {
    auto c = connect(pg.dsn(), std::nullopt);
    apply_migrations(*c);
  }
  metrics::DaemonMetrics metrics("test");
  DatabaseOptions o;
  o.dsn = pg.dsn();
  o.initial_backoff = 50ms;
  o.max_backoff = 400ms;
  o.health_check_interval = 200ms;
  Database store(o, &metrics);
  store.start();
  ASSERT_TRUE(store.wait_ready(10s));
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(store.submit("before", insert_post(i)));
  ASSERT_TRUE(testing::eventually([&] { return store.queue_depth() == 0; }, 10s));

  pg.stop();
  ASSERT_TRUE(testing::eventually([&] { return !store.ready(); }, 10s));
  std::atomic<int> completed{0};
  for (int i = 20; i < 120; ++i) {
    ASSERT_TRUE(store.submit("during", insert_post(i), [&](std::exception_ptr e) {
      EXPECT_EQ(e, nullptr);
      ++completed;
    }));
  }
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(completed.load(), 0);
  EXPECT_GT(store.queue_depth(), 0u);
  EXPECT_EQ(metrics.db_up.Value(), 0);

  pg.start();
  ASSERT_TRUE(testing::eventually([&] { return completed.load() == 100; }, 30s));
  EXPECT_TRUE(store.ready());
  EXPECT_EQ(count(pg.dsn(), "SELECT count(*) FROM observed_posts"), 120);
  EXPECT_GT(metrics.db_errors.Value(), 0);
}

TEST(Database, DrainRunsQueuedJobsBeforeStopping) {
  testing::ScratchDatabase db;
  DatabaseOptions o;
  o.dsn = db.dsn();
  Database store(o, nullptr);
  store.start();
  ASSERT_TRUE(store.wait_ready(10s));
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(store.submit("slowish", [i](pqxx::connection& c) {
      pqxx::work tx(c);
      tx.exec("SELECT pg_sleep(0.002)");
      tx.exec_params(
          "INSERT INTO observed_posts (platform, post_id, author_id, text, created_at, observed_at)"
          " VALUES ('x', $1, 'a', '', now(), now())",
          std::to_string(i));
      tx.commit();
    }));
  }
  EXPECT_EQ(store.drain_and_stop(20s), 0u);
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM observed_posts"), 200);
  EXPECT_FALSE(store.submit("late", insert_post(999)));
}

TEST(Retention, PurgesOldObservationsButKeepsHeldEvidence) {
  testing::ScratchDatabase db;
  auto c = connect(db.dsn(), std::nullopt);
  apply_migrations(*c);
  {
    pqxx::work tx(*c);
    tx.exec(
        "INSERT INTO observed_posts (platform, post_id, author_id, text, created_at, observed_at, "
        "held) VALUES"
        " ('x', 'old', 'a', '', now() - interval '100 days', now() - interval '100 days', false),"
        " ('x', 'held', 'a', '', now() - interval '100 days', now() - interval '100 days', true),"
        " ('x', 'new', 'a', '', now(), now(), false)");
    tx.exec(
        "INSERT INTO observed_profiles (platform, account_id, handle, observed_at, last_seen_at) "
        "VALUES"
        " ('x', '1', 'old', now() - interval '200 days', now() - interval '95 days'),"
        " ('x', '2', 'recent', now() - interval '200 days', now() - interval '1 day')");
    tx.commit();
  }
  EXPECT_EQ(purge_observations(*c, 90), 2);
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM observed_posts WHERE post_id IN ('held','new')"),
            2);
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM observed_posts"), 2);
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM observed_profiles"), 1);
}

// Instagram @mentions Meta's webhook queued go with the purge once settled (read or unavailable)
// and older than the retention period; queued ones stay however old, recent settled ones stay.
TEST(Retention, PurgesSettledWebhookMentionsButKeepsQueuedOnes) {
  testing::ScratchDatabase db;
  auto c = connect(db.dsn(), std::nullopt);
  apply_migrations(*c);
  {
    pqxx::work tx(*c);
    tx.exec(
        "INSERT INTO instagram_mentions (ig_user_id, media_id, state, received_at, done_at) VALUES"
        " ('17841400000000999', '1', 'done', now() - interval '100 days',"
        "  now() - interval '100 days'),"
        " ('17841400000000999', '2', 'unavailable', now() - interval '95 days',"
        "  now() - interval '91 days'),"
        " ('17841400000000999', '3', 'done', now() - interval '100 days',"
        "  now() - interval '10 days'),"
        " ('17841400000000999', '4', 'queued', now() - interval '200 days', NULL)");
    tx.commit();
  }
  EXPECT_EQ(purge_observations(*c, 90), 2);
  EXPECT_EQ(testing::sql(db.dsn(),
                         "SELECT string_agg(media_id || ' ' || state, ',' ORDER BY "
                         "media_id) FROM instagram_mentions"),
            "3 done,4 queued");
}

model::AccountGone gone(const std::string& ref, const std::string& reason = "not_found") {
  model::AccountGone g;
  g.platform = model::Platform::x;
  g.account_ref = ref;
  g.reason = reason;
  g.observed_at = model::TimePoint(std::chrono::seconds(1748736000));
  return g;
}

model::ProfileSnapshot profile(const std::string& id, const std::string& handle) {
  model::ProfileSnapshot p;
  p.platform = model::Platform::x;
  p.account_id = id;
  p.handle = handle;
  p.display_name = "相馬市";
  p.observed_at = model::TimePoint(std::chrono::seconds(1748736000));
  return p;
}

// The absent accounts of a batch become one statement's arrays, in order, quoted.
TEST(ObservationStore, GoneRowsAreOneStatementsArrays) {
  const std::vector<model::Observation> batch{gone("soma_clty"), profile("1", "soma_city"),
                                              gone("so\"ma", "suspended"), gone("Tracked_One")};
  const auto all = gone_rows(batch, std::nullopt);
  EXPECT_EQ(all.count, 3u);
  EXPECT_EQ(all.platforms, R"({"x","x","x"})");
  EXPECT_EQ(all.refs, R"({"soma_clty","so\"ma","Tracked_One"})");
  EXPECT_EQ(all.reasons, R"({"not_found","suspended","not_found"})");
  EXPECT_EQ(all.observed_at, R"({"1748736000.000","1748736000.000","1748736000.000"})");
  EXPECT_EQ(all.always, "{t,t,t}");  // no filter: every one stored, as before
  // A look-alike round: only its flagged candidates (ASCII case ignored) without a sighting.
  const auto round = gone_rows(batch, GoneFilter{{"tracked_one"}});
  EXPECT_EQ(round.always, "{f,f,t}");
  EXPECT_EQ(gone_rows({profile("1", "a")}, std::nullopt).count, 0u);
}

// One statement per batch stores what a reader needs: a look-alike that never existed leaves
// no row (and is no "newly gone"), an account seen before does, and so does a flagged candidate
// never seen; the accounts' own look-ups (no filter) store every absent account as before. A
// profile seen again removes its row, so its next disappearance is news again.
TEST(ObservationStore, AbsentHandlesAreStoredInBulkOnlyWhereSomeoneReadsThem) {
  testing::ScratchDatabase db;
  auto c = connect(db.dsn(), std::nullopt);
  apply_migrations(*c);
  store_observations(*c, {profile("7", "Soma_Clty")}, std::nullopt);

  std::vector<model::Observation> round;
  for (int i = 0; i < 100; ++i) round.push_back(gone("never_" + std::to_string(i)));
  round.push_back(gone("soma_clty", "suspended"));  // seen before under another case
  round.push_back(gone("flagged_x"));               // a flagged candidate never seen
  round.push_back(gone("never_3"));                 // twice in one batch
  auto batch = store_observations(*c, round, std::nullopt, {}, GoneFilter{{"Flagged_X"}});
  ASSERT_EQ(batch.newly_gone.size(), 2u);
  EXPECT_EQ(batch.newly_gone[0].account_ref, "soma_clty");
  EXPECT_EQ(batch.newly_gone[0].reason, "suspended");
  EXPECT_EQ(batch.newly_gone[1].account_ref, "flagged_x");
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM observed_gone"), 2);
  // Seen gone again: old news.
  EXPECT_TRUE(store_observations(*c, round, std::nullopt, {}, GoneFilter{{"flagged_x"}})
                  .newly_gone.empty());

  // The accounts' own profile look-ups keep every absent account, once.
  batch = store_observations(*c, {gone("never_1"), gone("never_2")}, std::nullopt);
  EXPECT_EQ(batch.newly_gone.size(), 2u);
  EXPECT_TRUE(store_observations(*c, {gone("never_1")}, std::nullopt).newly_gone.empty());
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM observed_gone"), 4);

  // Profiles seen again (by id or by handle) take their rows away in the same batch's one
  // statement; gone again later, they are news again.
  store_observations(*c, {profile("7", "soma_clty"), profile("9", "never_1")}, std::nullopt);
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM observed_gone"), 2);
  batch = store_observations(*c, {gone("soma_clty")}, std::nullopt, {}, GoneFilter{});
  ASSERT_EQ(batch.newly_gone.size(), 1u);
  EXPECT_EQ(batch.newly_gone[0].account_ref, "soma_clty");
}

}  // namespace
}  // namespace mamori::store
