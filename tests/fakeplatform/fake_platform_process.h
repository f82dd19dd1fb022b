// For tests: runs build/bin/fakeplatform as a child process on a loopback port (port 0 and a
// port file), and reads its request log. Header-only so any test folder can include it.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace mamori::testing {

struct FakeRequest {
  std::uint64_t seq = 0;
  std::int64_t unix_ms = 0;
  std::string platform;
  std::string endpoint;
  std::string method;
  std::string target;
  int status = 0;
  std::string fault;
  std::string accept_encoding;
  std::string user_agent;
  bool authorized = false;
  bool proxied = false;
  std::optional<std::int64_t> reset_unix_ms;
};

class FakePlatform {
 public:
  // `scenario_toml` is the scenario's text; it is written to a temporary file.
  explicit FakePlatform(const std::string& scenario_toml) {
    const auto scenario = dir_.path() / "scenario.toml";
    write_file(scenario, scenario_toml);
    start(scenario);
  }
  explicit FakePlatform(const std::filesystem::path& scenario_file) { start(scenario_file); }

  unsigned short port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<FakeRequest> requests() const {
    const HttpResult r = http_get("127.0.0.1", port_, "/_control/log");
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<FakeRequest> out;
    if (r.status != 200) return out;
    const auto doc = boost::json::parse(r.body).as_object();
    for (const auto& v : doc.at("requests").as_array()) {
      const auto& o = v.as_object();
      FakeRequest q;
      q.seq = o.at("seq").to_number<std::uint64_t>();
      q.unix_ms = o.at("unix_ms").to_number<std::int64_t>();
      q.platform = std::string(o.at("platform").as_string());
      q.endpoint = std::string(o.at("endpoint").as_string());
      q.method = std::string(o.at("method").as_string());
      q.target = std::string(o.at("target").as_string());
      q.status = o.at("status").to_number<int>();
      q.fault = std::string(o.at("fault").as_string());
      q.accept_encoding = std::string(o.at("accept_encoding").as_string());
      q.user_agent = std::string(o.at("user_agent").as_string());
      q.authorized = o.at("authorized").as_bool();
      q.proxied = o.at("proxied").as_bool();
      if (const auto* reset = o.if_contains("reset_unix_ms"))
        q.reset_unix_ms = reset->to_number<std::int64_t>();
      out.push_back(std::move(q));
    }
    return out;
  }

  std::int64_t connections() const {
    const HttpResult r = http_get("127.0.0.1", port_, "/_control/stats");
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return -1;
    return boost::json::parse(r.body).as_object().at("connections").to_number<std::int64_t>();
  }

 private:
  void start(const std::filesystem::path& scenario) {
    const auto port_file = dir_.path() / "port";
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{(bin_dir() / "fakeplatform").string(), "--scenario",
                                 scenario.string(), "--listen", "127.0.0.1:0", "--port-file",
                                 port_file.string()},
        dir_.path() / "fakeplatform.log");
    const bool up =
        eventually([&] { return std::filesystem::exists(port_file); }, std::chrono::seconds(10));
    if (!up) {
      ADD_FAILURE() << "fakeplatform did not start: " << process_->log();
      return;
    }
    port_ = static_cast<unsigned short>(std::stoi(read_file(port_file)));
  }

  TempDir dir_;
  std::unique_ptr<ChildProcess> process_;
  unsigned short port_ = 0;
};

}  // namespace mamori::testing
