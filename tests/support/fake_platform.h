// The fake platform server (tests/fakeplatform) as a child process, and a mamorid
// configuration that polls it over loopback.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/test_support.h"

namespace mamori::testing {

class FakePlatform {
 public:
  FakePlatform(const std::filesystem::path& scenario, const TempDir& dir);
  unsigned short port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Seconds since the scenario started (the fake's own clock), or -1.
  double scenario_time() const;
  // POST /_control/<what> with a JSON body; returns the HTTP status.
  int control(const std::string& what, const std::string& json_body) const;
  ChildProcess& process() { return process_; }

 private:
  std::filesystem::path port_file_;
  ChildProcess process_;
  unsigned short port_ = 0;
};

struct MamoridSetup {
  std::string dsn;
  unsigned short http_port = 0;
  std::string fake_base_url;
  std::vector<std::pair<std::string, std::string>> accounts;  // platform, handle
  std::string polling = "profiles = \"10s\"\nposts = \"2s\"\nreplies = \"2s\"\nsearch = \"5s\"\n";
  std::string extra;  // more TOML appended as is
};

// The configuration text, with the fake scenarios' credentials as env: references (set by
// set_fake_credentials_env()).
std::string mamorid_config(const MamoridSetup& setup);
void set_fake_credentials_env();

// Waits until the mamorid started as `mamorid` answers GET /readyz on `port` with 200 (true), or
// until it exits or `timeout` passes (false: its log says why).
bool mamorid_ready(ChildProcess& mamorid, unsigned short port,
                   std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A scenario's text with every appearance time (`at = ...`) divided by `speed_up` and its rate
// limits raised: for tests about completeness, not waiting.
std::string faster_scenario(const std::string& scenario, int speed_up);

// psql -tA on `dsn`; the output without the trailing newline.
std::string sql(const std::string& dsn, const std::string& query);

}  // namespace mamori::testing
