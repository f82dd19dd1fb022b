// CurlMultiClient over real loopback HTTP against the fake platform server (a child process):
// timeouts, size limits, compression, connection reuse, the transfer cap, shutdown, proxies,
// TLS verification and the host allow-list.
#include "collectors/http/curl_multi_client.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <optional>

#include "tests/fakeplatform/fake_platform_process.h"
#include "tests/support/test_support.h"

namespace mamori::collectors {
namespace {

using namespace std::chrono_literals;
using testing::FakePlatform;

constexpr const char* kScenario = R"(
[x]
bearer_token = "tok"
rate_limit = { limit = 900, window = 900 }

[bluesky]
identifier = "city.bsky.social"
password = "pw"

[[account]]
platform = "x"
handle = "soma_city"
display_name = "相馬市"
description = "福島県相馬市の公式アカウントです。"

[[account]]
platform = "bluesky"
handle = "city.bsky.social"
display_name = "市"
)";

std::string with_faults(const std::string& faults) {
  return std::string(kScenario) + faults;
}

CurlClientOptions loopback_options() {
  CurlClientOptions o;
  o.allowed_hosts.add("127.0.0.1");
  return o;
}

HttpRequest x_profile(const FakePlatform& fake) {
  HttpRequest r;
  r.url = fake.base_url() + "/2/users/by/username/soma_city?user.fields=description";
  r.headers.emplace_back("Authorization", "Bearer tok");
  r.platform = "x";
  r.endpoint = "users/by/username/:username";
  return r;
}

// Runs the loop until `n` completions arrived (or 30 s passed, which fails the test).
std::vector<HttpResponse> run_until(boost::asio::io_context& io, std::vector<HttpResponse>& got,
                                    std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (got.size() < n && std::chrono::steady_clock::now() < deadline) {
    io.run_for(10ms);
    if (io.stopped()) io.restart();
  }
  EXPECT_EQ(got.size(), n) << "completions missing";
  return got;
}

HttpResponse fetch_one(CurlMultiClient& client, boost::asio::io_context& io, HttpRequest request) {
  std::vector<HttpResponse> got;
  client.fetch(std::move(request), [&](HttpResponse r) { got.push_back(std::move(r)); });
  run_until(io, got, 1);
  return got.empty() ? HttpResponse{} : got.front();
}

TEST(CurlMultiClient, FetchesAProfileWithLowerCasedHeaders) {
  FakePlatform fake(std::string{kScenario});
  boost::asio::io_context io;
  CurlMultiClient client(io, loopback_options());
  const HttpResponse r = fetch_one(client, io, x_profile(fake));
  ASSERT_EQ(r.outcome, HttpOutcome::ok) << r.error;
  EXPECT_EQ(r.status, 200);
  const auto doc = boost::json::parse(r.body).as_object();
  EXPECT_EQ(doc.at("data").at("name").as_string(), "相馬市");
  EXPECT_EQ(r.header("x-rate-limit-limit"), std::optional<std::string_view>("900"));
  EXPECT_EQ(r.header("content-type"),
            std::optional<std::string_view>("application/json; charset=utf-8"));
  EXPECT_TRUE(r.error.empty());

  const auto log = fake.requests();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].user_agent.find("mamori"), std::string::npos) << log[0].user_agent;
  EXPECT_TRUE(log[0].authorized);
}

TEST(CurlMultiClient, OffersGzipAndBrotliAndDecodesGzip) {
  FakePlatform fake(std::string{kScenario});
  boost::asio::io_context io;
  CurlMultiClient client(io, loopback_options());
  HttpRequest r = x_profile(fake);
  // Large enough for the server to compress it.
  r.url = fake.base_url() + "/2/users/by?usernames=" + std::string(60, 'a') + ",soma_city," +
          std::string(60, 'b');
  r.endpoint = "users/by";
  const HttpResponse resp = fetch_one(client, io, r);
  ASSERT_EQ(resp.outcome, HttpOutcome::ok) << resp.error;
  EXPECT_EQ(resp.header("content-encoding"), std::optional<std::string_view>("gzip"));
  const auto doc = boost::json::parse(resp.body).as_object();  // decoded, so it parses
  EXPECT_EQ(doc.at("data").as_array().size(), 1u);
  EXPECT_EQ(doc.at("errors").as_array().size(), 2u);
  const auto log = fake.requests();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].accept_encoding.find("gzip"), std::string::npos) << log[0].accept_encoding;
  EXPECT_NE(log[0].accept_encoding.find("br"), std::string::npos) << log[0].accept_encoding;
}

TEST(CurlMultiClient, ReusesTheConnection) {
  FakePlatform fake(std::string{kScenario});
  boost::asio::io_context io;
  CurlMultiClient client(io, loopback_options());
  // Each stats query is a connection of its own.
  const auto before = fake.connections();
  for (int i = 0; i < 5; ++i) {
    const HttpResponse r = fetch_one(client, io, x_profile(fake));
    ASSERT_EQ(r.outcome, HttpOutcome::ok) << r.error;
  }
  EXPECT_EQ(fake.connections() - before - 1, 1)
      << "five sequential requests should share one connection";
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST(CurlMultiClient, TimesOutOnAStalledResponse) {
  FakePlatform fake(with_faults(R"(
[[fault]]
platform = "x"
endpoint = "users/by/username/:username"
kind = "stall"
count = 1
)"));
  boost::asio::io_context io;
  CurlMultiClient client(io, loopback_options());
  HttpRequest r = x_profile(fake);
  r.timeout = 300ms;
  const HttpResponse resp = fetch_one(client, io, r);
  EXPECT_EQ(resp.outcome, HttpOutcome::timeout) << resp.error;
  EXPECT_EQ(resp.status, 0);
  EXPECT_GE(resp.elapsed, 300ms);
  EXPECT_FALSE(resp.error.empty());
}

TEST(CurlMultiClient, TimesOutWhenTheBodyStallsHalfway) {
  FakePlatform fake(with_faults(R"(
[[fault]]
platform = "x"
endpoint = "users/by/username/:username"
kind = "stall_body"
count = 1
delay_ms = 60000
)"));
  boost::asio::io_context io;
  CurlMultiClient client(io, loopback_options());
  HttpRequest r = x_profile(fake);
  r.timeout = 400ms;
  const HttpResponse resp = fetch_one(client, io, r);
  EXPECT_EQ(resp.outcome, HttpOutcome::timeout) << resp.error;
}

TEST(CurlMultiClient, AbortsAnOversizedBody) {
  FakePlatform fake(with_faults(R"(
[[fault]]
platform = "x"
endpoint = "users/by/username/:username"
kind = "oversized"
bytes = 3000000
count = 2
)"));
  boost::asio::io_context io;
  CurlMultiClient client(io, loopback_options());
  HttpRequest r = x_profile(fake);
  r.max_response_bytes = 1000000;
  // The padding compresses to almost nothing: the cap applies to the decoded size.
  const HttpResponse resp = fetch_one(client, io, r);
  EXPECT_EQ(resp.outcome, HttpOutcome::too_large) << resp.error;
  EXPECT_TRUE(resp.body.empty());
  EXPECT_NE(resp.error.find("1000000"), std::string::npos) << resp.error;

  // Under the limit the same response is fine.
  r.max_response_bytes = 4000000;
  const HttpResponse ok = fetch_one(client, io, r);
  EXPECT_EQ(ok.outcome, HttpOutcome::ok) << ok.error;
  EXPECT_GE(ok.body.size(), 3000000u);
}

TEST(CurlMultiClient, ReportsAConnectionDroppedWithoutAnswer) {
  FakePlatform fake(with_faults(R"(
[[fault]]
platform = "x"
endpoint = "users/by/username/:username"
kind = "disconnect"
count = 1
)"));
  boost::asio::io_context io;
  CurlMultiClient client(io, loopback_options());
  EXPECT_EQ(fetch_one(client, io, x_profile(fake)).outcome, HttpOutcome::connect_error);
  // And recovers on a fresh connection.
  EXPECT_EQ(fetch_one(client, io, x_profile(fake)).outcome, HttpOutcome::ok);
}

TEST(CurlMultiClient, ReportsARefusedConnection) {
  const unsigned short port = testing::free_tcp_port();
  boost::asio::io_context io;
  CurlMultiClient client(io, loopback_options());
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  const HttpResponse resp = fetch_one(client, io, r);
  EXPECT_EQ(resp.outcome, HttpOutcome::connect_error) << resp.error;
  EXPECT_FALSE(resp.error.empty());
}

TEST(CurlMultiClient, RefusesHostsOffTheAllowListWithoutSending) {
  FakePlatform fake(std::string{kScenario});
  boost::asio::io_context io;
  CurlClientOptions o;
  o.allowed_hosts.add("api.x.com");
  CurlMultiClient client(io, o);
  const HttpResponse r = fetch_one(client, io, x_profile(fake));
  EXPECT_EQ(r.outcome, HttpOutcome::host_not_allowed);
  EXPECT_NE(r.error.find("127.0.0.1"), std::string::npos) << r.error;

  HttpRequest odd;
  odd.url = "file:///etc/passwd";
  EXPECT_EQ(fetch_one(client, io, odd).outcome, HttpOutcome::host_not_allowed);
  odd.url = "not a url";
  EXPECT_EQ(fetch_one(client, io, odd).outcome, HttpOutcome::host_not_allowed);
  EXPECT_TRUE(fake.requests().empty());
}

TEST(CurlMultiClient, RefusesCredentialsInUrlsAndHeaderInjection) {
  FakePlatform fake(std::string{kScenario});
  boost::asio::io_context io;
  CurlMultiClient client(io, loopback_options());
  HttpRequest r = x_profile(fake);
  r.url = "http://user:secret@127.0.0.1:" + std::to_string(fake.port()) + "/2/users/by";
  const HttpResponse creds = fetch_one(client, io, r);
  EXPECT_EQ(creds.outcome, HttpOutcome::other_error);
  EXPECT_EQ(creds.error.find("secret"), std::string::npos) << "the error must not echo secrets";

  HttpRequest injected = x_profile(fake);
  injected.headers.emplace_back("X-Note", "a\r\nAuthorization: Bearer stolen");
  const HttpResponse inj = fetch_one(client, io, injected);
  EXPECT_EQ(inj.outcome, HttpOutcome::other_error);
  EXPECT_EQ(inj.error.find("stolen"), std::string::npos);
  EXPECT_TRUE(fake.requests().empty());
}

TEST(CurlMultiClient, PostsABody) {
  FakePlatform fake(std::string{kScenario});
  boost::asio::io_context io;
  CurlMultiClient client(io, loopback_options());
  HttpRequest r;
  r.method = "POST";
  r.url = fake.base_url() + "/xrpc/com.atproto.server.createSession";
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = R"({"identifier":"city.bsky.social","password":"pw"})";
  const HttpResponse resp = fetch_one(client, io, r);
  ASSERT_EQ(resp.outcome, HttpOutcome::ok) << resp.error;
  EXPECT_EQ(resp.status, 200) << resp.body;
  EXPECT_TRUE(boost::json::parse(resp.body).as_object().contains("accessJwt"));
}

TEST(CurlMultiClient, CapsConcurrentTransfersAndQueuesTheRest) {
  FakePlatform fake(with_faults(R"(
[[fault]]
platform = "x"
endpoint = "users/by/username/:username"
kind = "slow"
delay_ms = 100
count = 10
)"));
  boost::asio::io_context io;
  CurlClientOptions o = loopback_options();
  o.max_in_flight = 2;
  CurlMultiClient client(io, o);
  std::vector<HttpResponse> got;
  std::size_t max_seen = 0;
  for (int i = 0; i < 10; ++i) {
    client.fetch(x_profile(fake), [&](HttpResponse r) {
      max_seen = std::max(max_seen, client.in_flight());
      got.push_back(std::move(r));
    });
  }
  // fetch() only queues; the transfers start on the loop.
  EXPECT_EQ(client.in_flight(), 0u);
  EXPECT_EQ(client.queued(), 10u);
  io.poll();
  EXPECT_EQ(client.in_flight(), 2u);
  EXPECT_EQ(client.queued(), 8u);
  run_until(io, got, 10);
  for (const auto& r : got) EXPECT_EQ(r.outcome, HttpOutcome::ok) << r.error;
  EXPECT_LE(max_seen, 2u);
  EXPECT_EQ(client.in_flight(), 0u);
  EXPECT_EQ(client.queued(), 0u);
}

TEST(CurlMultiClient, ShutdownCancelsEverythingExactlyOnce) {
  FakePlatform fake(with_faults(R"(
[[fault]]
platform = "x"
endpoint = "*"
kind = "stall"
count = 100
)"));
  boost::asio::io_context io;
  CurlClientOptions o = loopback_options();
  o.max_in_flight = 3;
  CurlMultiClient client(io, o);
  std::vector<HttpResponse> got;
  for (int i = 0; i < 6; ++i) {
    client.fetch(x_profile(fake), [&](HttpResponse r) { got.push_back(std::move(r)); });
  }
  // Let the first three reach the server.
  ASSERT_TRUE(testing::eventually(
      [&] {
        io.run_for(20ms);
        return fake.requests().size() == 3;
      },
      10s));
  client.shutdown();
  EXPECT_EQ(client.in_flight(), 0u);
  client.fetch(x_profile(fake), [&](HttpResponse r) { got.push_back(std::move(r)); });
  run_until(io, got, 7);
  for (const auto& r : got) EXPECT_EQ(r.outcome, HttpOutcome::cancelled);
  io.run_for(100ms);
  EXPECT_EQ(got.size(), 7u) << "a completion ran twice";
}

TEST(CurlMultiClient, UsesTheConfiguredProxyAndIgnoresProxyEnvironment) {
  FakePlatform fake(std::string{kScenario});
  boost::asio::io_context io;
  {
    // The fake platform also answers as a forward proxy: api.x.com is never resolved.
    CurlClientOptions o;
    o.allowed_hosts.add("api.x.com");
    o.proxy = fake.base_url();
    CurlMultiClient client(io, o);
    HttpRequest r = x_profile(fake);
    r.url = "http://api.x.com/2/users/by/username/soma_city";
    const HttpResponse resp = fetch_one(client, io, r);
    ASSERT_EQ(resp.outcome, HttpOutcome::ok) << resp.error;
    EXPECT_EQ(resp.status, 200);
  }
  {
    // A proxy in the environment that does not exist: the configuration (direct) wins.
    ::setenv("http_proxy", "http://127.0.0.1:9", 1);
    ::setenv("HTTP_PROXY", "http://127.0.0.1:9", 1);
    CurlMultiClient client(io, loopback_options());
    const HttpResponse resp = fetch_one(client, io, x_profile(fake));
    ::unsetenv("http_proxy");
    ::unsetenv("HTTP_PROXY");
    EXPECT_EQ(resp.outcome, HttpOutcome::ok) << resp.error;
  }
  const auto log = fake.requests();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_TRUE(log[0].proxied);
  EXPECT_FALSE(log[1].proxied);
}

// TLS: a throwaway CA-less self-signed certificate served by `openssl s_server`.
TEST(CurlMultiClient, VerifiesTlsAndTrustsAConfiguredCaFile) {
  testing::TempDir dir;
  const auto key = dir.path() / "key.pem";
  const auto cert = dir.path() / "cert.pem";
  const auto gen = testing::run_command(
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext "
      "subjectAltName=IP:127.0.0.1 -keyout " +
      key.string() + " -out " + cert.string() + " 2>/dev/null");
  ASSERT_EQ(gen.exit_code, 0);
  const unsigned short port = testing::free_tcp_port();
  testing::ChildProcess server(
      {"/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-cert",
       cert.string(), "-key", key.string(), "-www", "-quiet"},
      dir.path() / "s_server.log");
  ASSERT_TRUE(testing::eventually(
      [&] {
        boost::asio::io_context probe_io;
        boost::asio::ip::tcp::socket s(probe_io);
        boost::system::error_code ec;
        s.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
        return !ec;
      },
      10s))
      << server.log();

  boost::asio::io_context io;
  HttpRequest r;
  r.url = "https://127.0.0.1:" + std::to_string(port) + "/";
  r.timeout = 10s;
  {
    CurlMultiClient client(io, loopback_options());
    const HttpResponse resp = fetch_one(client, io, r);
    EXPECT_EQ(resp.outcome, HttpOutcome::tls_error) << resp.error;
  }
  {
    CurlClientOptions o = loopback_options();
    o.ca_file = cert.string();
    CurlMultiClient client(io, o);
    const HttpResponse resp = fetch_one(client, io, r);
    EXPECT_EQ(resp.outcome, HttpOutcome::ok) << resp.error;
    EXPECT_EQ(resp.status, 200);
  }
}

TEST(CurlMultiClient, CompletionsNeverRunInsideFetch) {
  boost::asio::io_context io;
  CurlClientOptions o;  // empty allow-list: refused at once
  CurlMultiClient client(io, o);
  bool done = false;
  HttpRequest r;
  r.url = "http://127.0.0.1/";
  client.fetch(r, [&](HttpResponse resp) {
    done = true;
    EXPECT_EQ(resp.outcome, HttpOutcome::host_not_allowed);
  });
  EXPECT_FALSE(done);
  io.run();
  EXPECT_TRUE(done);
}

TEST(HttpOutcome, EveryOutcomeHasAName) {
  for (auto o :
       {HttpOutcome::ok, HttpOutcome::timeout, HttpOutcome::too_large, HttpOutcome::connect_error,
        HttpOutcome::tls_error, HttpOutcome::cancelled, HttpOutcome::other_error,
        HttpOutcome::host_not_allowed, HttpOutcome::circuit_open, HttpOutcome::rate_limited}) {
    EXPECT_NE(to_string(o), "unknown");
  }
  EXPECT_EQ(to_string(HttpOutcome::too_large), "too_large");
}

}  // namespace
}  // namespace mamori::collectors
