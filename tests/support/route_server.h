// Routes served over real HTTP on loopback, in-process, against a scratch PostgreSQL with the
// store's worker: the rig of the API, sign-in and ack-link route tests. A test registers its
// routes on `router` (they run their queries on `database`), then calls start(); stop() (or the
// destructor) closes the server and joins its loop thread before the store drains, so whatever
// the routes captured must outlive stop(), not only the rig.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "daemon/http/server.h"
#include "daemon/store/connection.h"
#include "daemon/store/database.h"
#include "tests/support/test_support.h"

namespace mamori::testing {

class RouteServer {
 public:
  RouteServer() {
    store::DatabaseOptions o;
    o.dsn = db.dsn();
    database = std::make_unique<store::Database>(o, nullptr);
    database->start();
    if (!database->wait_ready(std::chrono::seconds(10)))
      throw std::runtime_error("the test database did not become ready");
    direct = store::connect(db.dsn(), std::nullopt);
  }
  ~RouteServer() {
    stop();
    database->drain_and_stop(std::chrono::seconds(5));
  }
  RouteServer(const RouteServer&) = delete;
  RouteServer& operator=(const RouteServer&) = delete;

  // Listens on an ephemeral loopback port and runs the loop on its own thread.
  void start() {
    server_ = std::make_unique<http::HttpServer>(io, router, http::ServerLimits{}, nullptr);
    server_->listen("127.0.0.1", 0);
    guard_.emplace(io.get_executor());
    thread_ = std::thread([this] { io.run(); });
  }
  void stop() {
    if (!thread_.joinable()) return;
    boost::asio::post(io, [this] {
      server_->stop_accepting();
      server_->close_all();
    });
    guard_.reset();
    thread_.join();
    server_.reset();
  }

  unsigned short port() const { return server_->port(); }
  HttpResult request(const std::string& method, const std::string& target,
                     const std::vector<std::string>& headers = {},
                     const std::string& body = "") const {
    return http_request(method, "127.0.0.1", port(), target, headers, body);
  }

  ScratchDatabase db;
  std::unique_ptr<store::Database> database;
  std::unique_ptr<pqxx::connection> direct;
  http::Router router;
  boost::asio::io_context io;

 private:
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
};

}  // namespace mamori::testing
