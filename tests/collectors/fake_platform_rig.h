// For collector tests over loopback: the fake platform as a child process, the real curl client
// under the rate-limit governor, one collector of type C, and a loop that waits for its pages.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "collectors/common/collector.h"
#include "collectors/http/curl_multi_client.h"
#include "collectors/ratelimit/clock.h"
#include "collectors/ratelimit/governed_http_client.h"
#include "tests/fakeplatform/fake_platform_process.h"

namespace mamori::testing {

template <typename C>
struct FakePlatformRig {
  // `make_options(base_url)` gives the collector's options pointing at the fake.
  template <typename MakeOptions>
  FakePlatformRig(const std::string& scenario, MakeOptions make_options)
      : fake(scenario), curl(io, curl_options()), governed(io, curl, nullptr, clock) {
    collector = std::make_unique<C>(governed, make_options(fake.base_url()));
  }
  static collectors::CurlClientOptions curl_options() {
    collectors::CurlClientOptions o;
    o.allowed_hosts.add("127.0.0.1");
    return o;
  }
  collectors::PageHandler keep() {
    return [this](collectors::Page p) { pages.push_back(std::move(p)); };
  }
  collectors::Page wait() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (pages.empty() && std::chrono::steady_clock::now() < deadline) {
      io.run_for(std::chrono::milliseconds(10));
      if (io.stopped()) io.restart();
    }
    EXPECT_FALSE(pages.empty());
    collectors::Page p = pages.empty() ? collectors::Page{} : std::move(pages.front());
    if (!pages.empty()) pages.erase(pages.begin());
    return p;
  }
  // Requests the fake served for `endpoint` since the last call.
  std::vector<FakeRequest> served(const std::string& endpoint) {
    std::vector<FakeRequest> out;
    for (auto& r : fake.requests()) {
      if (r.seq <= last_seq) continue;
      if (r.endpoint == endpoint) out.push_back(r);
    }
    for (const auto& r : fake.requests()) last_seq = std::max(last_seq, r.seq);
    return out;
  }
  void control(const std::string& what, const boost::json::object& body) {
    const HttpResult r =
        http_request("POST", "127.0.0.1", fake.port(), "/_control/" + what,
                     {"Content-Type: application/json"}, boost::json::serialize(body));
    ASSERT_EQ(r.status, 200) << r.body;
  }

  boost::asio::io_context io;
  FakePlatform fake;
  collectors::SystemClock clock;
  collectors::CurlMultiClient curl;
  collectors::GovernedHttpClient governed;
  std::unique_ptr<C> collector;
  std::vector<collectors::Page> pages;
  std::uint64_t last_seq = 0;
};

}  // namespace mamori::testing
