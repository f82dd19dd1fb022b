#include "tests/support/fake_platform.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <sstream>

namespace mamori::testing {

using namespace std::chrono_literals;

FakePlatform::FakePlatform(const std::filesystem::path& scenario, const TempDir& dir)
    : port_file_(dir.path() / "fake.port"),
      process_({(bin_dir() / "fakeplatform").string(), "--scenario", scenario.string(), "--listen",
                "127.0.0.1:0", "--port-file", port_file_.string()},
               dir.path() / "fake.log") {
  const bool up = eventually(
      [&] {
        return std::filesystem::exists(port_file_) && std::filesystem::file_size(port_file_) > 0;
      },
      10s);
  if (!up) {
    ADD_FAILURE() << "fakeplatform did not start:\n" << process_.log();
    return;
  }
  port_ = static_cast<unsigned short>(std::stoi(read_file(port_file_)));
}

double FakePlatform::scenario_time() const {
  const auto r = http_get("127.0.0.1", port_, "/_control/stats");
  const auto t = r.body.find("\"t\":");
  return t == std::string::npos ? -1 : std::stod(r.body.substr(t + 4));
}

int FakePlatform::control(const std::string& what, const std::string& json_body) const {
  return http_request("POST", "127.0.0.1", port_, "/_control/" + what, {}, json_body).status;
}

void set_fake_credentials_env() {
  setenv("MAMORI_T_X", "x-test-bearer", 1);
  setenv("MAMORI_T_BSKY", "test-app-password", 1);
  setenv("MAMORI_T_MASTODON", "mastodon-test-token", 1);
}

bool mamorid_ready(ChildProcess& mamorid, unsigned short port, std::chrono::milliseconds timeout) {
  bool ready = false;
  eventually(
      [&] {
        if (mamorid.wait_for_exit(std::chrono::milliseconds(0))) return true;
        ready = http_get("127.0.0.1", port, "/readyz").status == 200;
        return ready;
      },
      timeout, std::chrono::milliseconds(200));
  return ready;
}

std::string mamorid_config(const MamoridSetup& s) {
  const std::string& base = s.fake_base_url;
  std::string config =
      "[log]\nlevel = \"info\"\n"
      "[municipality]\nname = \"相馬市\"\nname_kana = \"そうまし\"\nname_romaji = \"Soma City\"\n"
      "homepage = \"https://www.city.soma.fukushima.jp/\"\nneighbours = [\"南相馬市\"]\n"
      // Automatic homepage checks fetch notice_url (default: the homepage): keep
      // them on loopback, never on the real city's site.
      "notice_url = \"" +
      base +
      "/city/oshirase/\"\n"
      "[server]\nlisten = \"127.0.0.1:" +
      std::to_string(s.http_port) +
      "\"\ndrain_timeout = \"5s\"\n"
      "[database]\ndsn = \"" +
      s.dsn +
      "\"\n"
      "[http_client]\nallowed_hosts = [\"127.0.0.1\"]\n"
      "[platforms.x]\nenabled = true\napi_base = \"" +
      base +
      "\"\nbearer_token = \"env:MAMORI_T_X\"\n"
      "[platforms.bluesky]\nenabled = true\napi_base = \"" +
      base + "\"\npds_base = \"" + base +
      "\"\nidentifier = \"soma-city.bsky.social\"\napp_password = \"env:MAMORI_T_BSKY\"\n"
      "[platforms.mastodon]\nenabled = true\ninstance = \"" +
      base +
      "\"\naccess_token = \"env:MAMORI_T_MASTODON\"\ntoken_account = \"soma_city\"\n"
      "[polling]\n" +
      s.polling;
  for (const auto& [platform, handle] : s.accounts) {
    config += "[[accounts]]\nplatform = \"" + platform + "\"\nhandle = \"" + handle + "\"\n";
  }
  return config + s.extra;
}

std::string faster_scenario(const std::string& scenario, int speed_up) {
  std::istringstream in(scenario);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("at = ", 0) == 0)
      line = "at = " + std::to_string(std::stod(line.substr(5)) / speed_up);
    out += line + "\n";
  }
  return std::regex_replace(out, std::regex(R"(limit = \d+)"), "limit = 100000");
}

std::string sql(const std::string& dsn, const std::string& query) {
  std::string quoted = "'";
  for (char c : query) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  quoted += "'";
  auto r = run_command("psql '" + dsn + "' -tA -c " + quoted);
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

}  // namespace mamori::testing
