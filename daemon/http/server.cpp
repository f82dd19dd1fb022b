#include "daemon/http/server.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <system_error>

#include "daemon/http/client_address.h"
#include "daemon/log/log.h"
#include "daemon/metrics/event_loop_meter.h"
#include "daemon/metrics/metrics.h"

namespace mamori::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

class HttpServer::Session : public std::enable_shared_from_this<HttpServer::Session> {
 public:
  Session(HttpServer& server, tcp::socket socket, std::string client)
      : server_(server),
        alive_(server.alive_),
        stream_(std::move(socket)),
        client_(std::move(client)) {}

  const std::string& client() const { return client_; }

  void start() { read(); }

  // Answers 503 and closes: used when the connection cap is reached.
  void refuse() {
    Request req;
    req.version(11);
    req.keep_alive(false);
    auto res = json_error(req, beast_http::status::service_unavailable, "too many connections");
    res.set(beast_http::field::retry_after, "1");
    respond_and_close(std::move(res));
  }

  bool busy() const { return busy_; }

  // Closes now if idle; otherwise after the response in progress.
  void close_when_idle() {
    closing_ = true;
    if (!busy_) close();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

 private:
  void read() {
    if (closing_ || closed_) {
      close();
      return;
    }
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.limits_.max_header_bytes));
    parser_->body_limit(server_.limits_.max_body_bytes);
    stream_.expires_after(server_.limits_.read_timeout);
    beast_http::async_read(stream_, buffer_, *parser_,
                           beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t /*bytes*/) {
    if (closed_) return;
    if (ec == beast_http::error::end_of_stream || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted || ec == asio::error::eof) {
      close();
      return;
    }
    if (ec == beast::error::timeout) {
      // tcp_stream has already closed the socket: a slow or idle client is simply cut off.
      log::debug("http.read_timeout", {});
      close();
      return;
    }
    if (ec == beast_http::error::body_limit) {
      fail(beast_http::status::payload_too_large, "request body too large");
      return;
    }
    if (ec == beast_http::error::header_limit) {
      fail(beast_http::status::request_header_fields_too_large, "request header too large");
      return;
    }
    if (ec) {
      fail(beast_http::status::bad_request, "malformed request");
      return;
    }
    request_ = parser_->release();
    request_.erase(kPeerAddressField);
    beast::error_code peer_ec;
    const auto peer = stream_.socket().remote_endpoint(peer_ec);
    if (!peer_ec) request_.set(kPeerAddressField, peer.address().to_string());
    busy_ = true;
    auto self = shared_from_this();
    // The responder may run on another thread (database worker): hop back to the loop.
    Responder respond = [self](Response res) {
      asio::post(self->stream_.get_executor(),
                 [self, res = std::move(res)]() mutable { self->write(std::move(res)); });
    };
    try {
      const metrics::EventLoopMeter::Scope metered("http.request");
      server_.router_.dispatch(request_, std::move(respond), route_);
    } catch (const std::exception& e) {
      log::error("http.handler_failed", {{"route", route_}, {"error", e.what()}});
      write(json_error(request_, beast_http::status::internal_server_error, "internal error"));
    }
  }

  void fail(beast_http::status status, std::string_view message) {
    Request req;
    req.version(11);
    route_ = "invalid";
    log::info("http.bad_request", {{"status", static_cast<unsigned>(status)}, {"reason", message}});
    respond_and_close(json_error(req, status, message));
  }

  void respond_and_close(Response res) {
    res.keep_alive(false);
    busy_ = true;
    closing_ = true;
    write(std::move(res));
  }

  void write(Response res) {
    if (closed_) return;
    if (closing_ || server_.draining_) res.keep_alive(false);
    if (request_.method() == beast_http::verb::head) res.body().clear();
    if (server_.metrics_ != nullptr)
      server_.metrics_->count_http_request(route_.empty() ? "invalid" : route_, res.result_int());
    response_ = std::make_shared<Response>(std::move(res));
    stream_.expires_after(server_.limits_.read_timeout);
    beast_http::async_write(stream_, *response_,
                            beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t /*bytes*/) {
    busy_ = false;
    const bool keep = response_ && response_->keep_alive();
    response_.reset();
    request_ = {};
    route_.clear();
    if (ec || !keep || closing_ || server_.draining_) {
      close();
      return;
    }
    read();
  }

  HttpServer& server_;
  std::shared_ptr<bool> alive_;  // false once the server is gone (handlers destroyed late)
  beast::tcp_stream stream_;
  std::string client_;  // address_key of the peer: the per-client cap counts by it
  beast::flat_buffer buffer_;
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  Request request_;
  std::shared_ptr<Response> response_;
  std::string route_;
  bool busy_ = false;
  bool closing_ = false;
  bool closed_ = false;

 public:
  ~Session() {
    if (*alive_) server_.on_session_closed(this);
  }
};

HttpServer::HttpServer(asio::io_context& io, const Router& router, ServerLimits limits,
                       metrics::DaemonMetrics* metrics)
    : io_(io),
      router_(router),
      limits_(limits),
      metrics_(metrics),
      acceptor_(io),
      accept_pause_(io) {}

HttpServer::~HttpServer() {
  *alive_ = false;
  beast::error_code ec;
  acceptor_.close(ec);
  accept_pause_.cancel();
  for (auto& [ptr, weak] : sessions_) {
    if (auto s = weak.lock()) s->close();
  }
}

void HttpServer::listen(const std::string& host, std::uint16_t port) {
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) {
    throw std::system_error(ec, "invalid listen address '" + host + "'");
  }
  const tcp::endpoint endpoint(address, port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint, ec);
  if (ec) {
    acceptor_.close();
    throw std::system_error(ec, "cannot listen on " + host + ":" + std::to_string(port));
  }
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
  accept();
}

void HttpServer::accept() {
  acceptor_.async_accept(io_, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // EMFILE and friends: the connection stays in the backlog and the next accept would fail
      // at once. Log, and try again after a pause that doubles while the failures last.
      ++accept_failures_;
      pause_accepting();
      log::warn("http.accept_failed",
                {{"error", ec.message()},
                 {"retry_in_ms", static_cast<long long>(accept_delay_.count())}});
      return;
    }
    accept_delay_ = std::chrono::milliseconds(0);
    beast::error_code peer_ec;
    const auto peer = socket.remote_endpoint(peer_ec);
    auto session = std::make_shared<Session>(
        *this, std::move(socket), peer_ec ? std::string("unknown") : address_key(peer.address()));
    sessions_.emplace(session.get(), session);
    const std::size_t from_client = ++per_client_[session->client()];
    if (metrics_ != nullptr) metrics_->http_connections.Set(static_cast<double>(sessions_.size()));
    if (sessions_.size() > limits_.max_connections ||
        from_client > limits_.max_connections_per_client || draining_) {
      if (metrics_ != nullptr) metrics_->http_connections_refused.Increment();
      session->refuse();
    } else {
      session->start();
    }
    accept();
  });
}

void HttpServer::pause_accepting() {
  using std::chrono::milliseconds;
  accept_delay_ = std::clamp(accept_delay_ * 2, milliseconds(10), milliseconds(1000));
  accept_pause_.expires_after(accept_delay_);
  accept_pause_.async_wait([this, alive = alive_](const beast::error_code& ec) {
    if (ec || !*alive || !acceptor_.is_open()) return;
    accept();
  });
}

void HttpServer::on_session_closed(Session* session) {
  sessions_.erase(session);
  if (auto it = per_client_.find(session->client()); it != per_client_.end() && --it->second == 0) {
    per_client_.erase(it);
  }
  if (metrics_ != nullptr) metrics_->http_connections.Set(static_cast<double>(sessions_.size()));
}

std::size_t HttpServer::busy_connections() const {
  std::size_t n = 0;
  for (const auto& [ptr, weak] : sessions_) {
    if (auto s = weak.lock(); s && s->busy()) ++n;
  }
  return n;
}

void HttpServer::stop_accepting() {
  draining_ = true;
  beast::error_code ec;
  acceptor_.close(ec);
  accept_pause_.cancel();
  for (auto& [ptr, weak] : sessions_) {
    if (auto s = weak.lock()) s->close_when_idle();
  }
}

void HttpServer::close_all() {
  for (auto& [ptr, weak] : sessions_) {
    if (auto s = weak.lock()) s->close();
  }
}

}  // namespace mamori::http
