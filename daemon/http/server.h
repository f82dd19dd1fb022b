// mamorid's HTTP/1.1 server (Boost.Beast) with hard limits: header and body size, read
// timeout, connection cap overall and per client address (IPv6 per /64), so one client holding
// slow connections cannot take every slot. A malformed request gets a 4xx and the connection is
// closed; it never takes the process down. Accept errors (out of descriptors) pause accepting
// briefly instead of spinning. Runs on the daemon's single io_context thread.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "daemon/http/router.h"

namespace mamori::metrics {
class DaemonMetrics;
}

namespace mamori::http {

struct ServerLimits {
  std::size_t max_connections = 256;
  std::size_t max_connections_per_client = 64;
  std::chrono::milliseconds read_timeout{15000};
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, const Router& router, ServerLimits limits,
             metrics::DaemonMetrics* metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Throws std::system_error naming the address on failure.
  void listen(const std::string& host, std::uint16_t port);
  std::uint16_t port() const { return port_; }

  void set_limits(const ServerLimits& limits) { limits_ = limits; }

  // Shutdown, step 1: no new connections; idle keep-alive connections are closed now and busy
  // ones right after their response.
  void stop_accepting();
  // Shutdown, step 2 (at the drain deadline): close whatever is still open.
  void close_all();

  std::size_t open_connections() const { return sessions_.size(); }
  std::size_t busy_connections() const;
  // Accepts that failed (diagnostics and tests).
  std::uint64_t accept_failures() const { return accept_failures_.load(); }

 private:
  class Session;
  friend class Session;

  void accept();
  void pause_accepting();
  void on_session_closed(Session* session);

  boost::asio::io_context& io_;
  const Router& router_;
  ServerLimits limits_;
  metrics::DaemonMetrics* metrics_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_pause_;
  std::chrono::milliseconds accept_delay_{0};  // grows while accepts keep failing
  std::atomic<std::uint64_t> accept_failures_{0};
  std::unordered_map<std::string, std::size_t> per_client_;  // open connections per client key
  std::uint16_t port_ = 0;
  bool draining_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
};

}  // namespace mamori::http
