// Issue 20: with an access token configured, every Mastodon read (profile lookup, the account's
// statuses, a thread) is sent with it and so counted against the account's own rate budget, not
// the per-IP one shared by all anonymous readers; without a token they stay anonymous. Against
// the fake platform, whose request log records whether each request was authorized.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "collectors/http/curl_multi_client.h"
#include "collectors/mastodon/mastodon_collector.h"
#include "tests/support/fake_platform.h"

namespace mamori::collectors::mastodon {
namespace {

// endpoint -> authorized, of every Mastodon request the fake has logged.
std::vector<std::pair<std::string, bool>> logged(const testing::FakePlatform& fake) {
  const auto r = testing::http_get("127.0.0.1", fake.port(), "/_control/log?since=0");
  std::vector<std::pair<std::string, bool>> out;
  const auto json = boost::json::parse(r.body);
  const auto& entries = json.at("requests").as_array();
  for (const auto& e : entries) {
    if (e.at("platform").as_string() != "mastodon") continue;
    out.emplace_back(std::string(e.at("endpoint").as_string()), e.at("authorized").as_bool());
  }
  return out;
}

std::vector<std::pair<std::string, bool>> read_all(const std::string& token) {
  testing::TempDir dir;
  testing::FakePlatform fake(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir);
  boost::asio::io_context io;
  CurlClientOptions o;
  o.allowed_hosts.add("127.0.0.1");
  CurlMultiClient curl(io, o);
  MastodonCollectorOptions mo;
  mo.instance = fake.base_url();
  mo.access_token = token;
  mo.token_account = "soma_city";
  MastodonCollector collector(curl, mo);
  int done = 0;
  auto run_until = [&](int n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (done < n && std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_for(std::chrono::milliseconds(5));
    }
  };
  std::string id;
  collector.lookup_profiles({"soma_city"}, [&](Page page) {
    for (const auto& ob : page.result.observations)
      if (const auto* p = std::get_if<model::ProfileSnapshot>(&ob)) id = p->account_id;
    ++done;
  });
  run_until(1);
  collector.recent_posts({"soma_city", id}, Cursor{}, [&](Page) { ++done; });
  collector.thread({"soma_city", id}, "1", Cursor{}, [&](Page) { ++done; });
  run_until(3);
  curl.shutdown();
  return logged(fake);
}

TEST(MastodonTokenReads, ReadsGoWithTheConfiguredTokenAndAnonymouslyWithoutOne) {
  const auto with_token = read_all("mastodon-test-token");
  ASSERT_GE(with_token.size(), 3u);
  for (const auto& [endpoint, authorized] : with_token) EXPECT_TRUE(authorized) << endpoint;
  const auto without = read_all("");
  ASSERT_GE(without.size(), 3u);
  for (const auto& [endpoint, authorized] : without) EXPECT_FALSE(authorized) << endpoint;
}

}  // namespace
}  // namespace mamori::collectors::mastodon
