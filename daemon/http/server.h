// mamorid's HTTP/1.1 server (Boost.Beast) with hard limits: header and body size, read
// timeout, connection cap. A malformed request gets a 4xx and the connection is closed; it
// never takes the process down. Runs on the daemon's single io_context thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

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

 private:
  class Session;
  friend class Session;

  void accept();
  void on_session_closed(Session* session);

  boost::asio::io_context& io_;
  const Router& router_;
  ServerLimits limits_;
  metrics::DaemonMetrics* metrics_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  bool draining_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
};

}  // namespace mamori::http
