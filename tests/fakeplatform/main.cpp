// fakeplatform: X API v2, Bluesky XRPC and Mastodon REST shapes from a scripted scenario, with
// fault injection and a control API, for integration tests and the demo. Loopback only.
// Also the Facebook and Instagram Graph API (/vNN.N/..., render_graph.cpp) and the YouTube Data
// API (/youtube/v3/..., render_youtube.cpp) for the collectors' tests; scenario tables
// [facebook] page_access_token, [instagram] access_token, [youtube] api_key.
//
//   fakeplatform --scenario FILE [--listen 127.0.0.1:0] [--port-file PATH]
//
// Control API (JSON): GET /_control/health | stats | log?since=SEQ | reports (filed through the
// report APIs: Mastodon POST /api/v1/reports, Bluesky com.atproto.moderation.createReport);
// POST /_control/reset | accounts | posts | update_post | update_account | remove_account |
//   faults | trigger | pages ({"path": "/city/…", "html": "…"}: a page of the city's homepage).
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "tests/fakeplatform/server.h"
#include "tests/fakeplatform/world.h"

namespace {

int usage(const std::string& problem) {
  std::cerr << "fakeplatform: " << problem << "\n"
            << "usage: fakeplatform --scenario FILE [--listen HOST:PORT] [--port-file PATH]\n";
  return 2;
}

bool write_port_file(const std::filesystem::path& path, unsigned short port) {
  // Written whole, then renamed: a test polling for it never reads half a number.
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << port << "\n";
    if (!out) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

void raise_descriptor_limit() {
  // Thousands of concurrent client connections (the benchmark) need more than 1024.
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string scenario_file;
  std::string listen = "127.0.0.1:0";
  std::string port_file;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (arg == "--scenario") {
      if (!value(scenario_file)) return usage("--scenario needs a file");
    } else if (arg == "--listen") {
      if (!value(listen)) return usage("--listen needs HOST:PORT");
    } else if (arg == "--port-file") {
      if (!value(port_file)) return usage("--port-file needs a path");
    } else {
      return usage("unknown argument '" + arg + "'");
    }
  }
  if (scenario_file.empty()) return usage("--scenario is required");
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    return usage("--listen: expected HOST:PORT, got '" + listen + "'");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned long port_number = 0;
  try {
    port_number = std::stoul(listen.substr(colon + 1));
  } catch (const std::exception&) {
    return usage("--listen: port is not a number in '" + listen + "'");
  }
  if (port_number > 65535) return usage("--listen: port out of range in '" + listen + "'");

  mamori::fakeplatform::Scenario scenario;
  try {
    scenario = mamori::fakeplatform::load_scenario(scenario_file);
  } catch (const std::exception& e) {
    std::cerr << "fakeplatform: " << e.what() << "\n";
    return 2;
  }
  raise_descriptor_limit();

  boost::asio::io_context io(1);
  mamori::fakeplatform::Server server(io);
  unsigned short port = 0;
  try {
    port = server.bind(host, static_cast<unsigned short>(port_number));
  } catch (const std::exception& e) {
    std::cerr << "fakeplatform: cannot listen on " << listen << ": " << e.what() << "\n";
    return 1;
  }
  const std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  mamori::fakeplatform::World world(std::move(scenario),
                                    "http://" + shown_host + ":" + std::to_string(port));
  world.reset(std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now()));
  server.start(world);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) server.stop();
  });
  if (!port_file.empty() && !write_port_file(port_file, port)) {
    std::cerr << "fakeplatform: cannot write port file " << port_file << "\n";
    return 1;
  }
  std::cerr << "fakeplatform: listening on http://" << shown_host << ":" << port << " (scenario "
            << scenario_file << ")\n";
  io.run();
  return 0;
}
