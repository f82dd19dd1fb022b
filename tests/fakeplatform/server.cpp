#include "tests/fakeplatform/server.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <ctime>

#include "tests/fakeplatform/util.h"

namespace mamori::fakeplatform {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::asio::ip::tcp;

namespace {

std::string http_date(std::chrono::system_clock::time_point now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

WallTime wall_now() {
  return std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

}  // namespace

class Server::Session : public std::enable_shared_from_this<Server::Session> {
 public:
  Session(tcp::socket socket, World& world)
      : stream_(std::move(socket)), timer_(stream_.get_executor()), world_(world) {}

  void start() { read(); }

  void close() {
    closed_ = true;
    timer_.cancel();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

 private:
  void read() {
    if (closed_) return;
    parser_.emplace();
    parser_->body_limit(1024 * 1024);
    parser_->header_limit(32 * 1024);
    stream_.expires_after(std::chrono::seconds(120));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      close();
      return;
    }
    auto req = parser_->release();
    Request r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.authorization = std::string(req[http::field::authorization]);
    r.api_key = std::string(req["x-goog-api-key"]);
    r.accept_encoding = std::string(req[http::field::accept_encoding]);
    r.user_agent = std::string(req[http::field::user_agent]);
    // Absolute-form ("GET http://api.x.com/2/... HTTP/1.1"): we are being used as an HTTP
    // proxy. Serve it as if the request had come to us directly.
    if (r.target.rfind("http://", 0) == 0) {
      const auto slash = r.target.find('/', 7);
      r.target = slash == std::string::npos ? "/" : r.target.substr(slash);
      r.proxied = true;
    }
    r.body = std::move(req.body());
    keep_alive_ = req.keep_alive();
    Reply reply;
    try {
      reply = world_.handle(r, wall_now());
    } catch (const std::exception& e) {
      // A malformed control request (e.g. since=abc) must not take the server down.
      reply.status = 400;
      reply.body = boost::json::serialize(boost::json::object{{"error", e.what()}});
    }
    const bool gzip_ok = r.accept_encoding.find("gzip") != std::string::npos;
    deliver(std::move(reply), gzip_ok);
  }

  std::shared_ptr<http::response<http::string_body>> build(Reply& reply, bool gzip_ok) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(reply.status), 11);
    res->set(http::field::server, "fakeplatform");
    res->set(http::field::date, http_date(std::chrono::system_clock::now()));
    res->set(http::field::content_type, reply.content_type);
    for (const auto& [k, v] : reply.headers) res->insert(k, v);
    if (gzip_ok && reply.compressible && reply.body.size() > 512) {
      std::string z = gzip(reply.body);
      if (!z.empty()) {
        reply.body = std::move(z);
        res->set(http::field::content_encoding, "gzip");
        res->set(http::field::vary, "Accept-Encoding");
      }
    }
    res->body() = std::move(reply.body);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    return res;
  }

  void deliver(Reply reply, bool gzip_ok) {
    auto self = shared_from_this();
    switch (reply.delivery) {
      case Delivery::normal:
        write(build(reply, gzip_ok));
        return;
      case Delivery::slow: {
        auto res = build(reply, gzip_ok);
        stream_.expires_never();
        timer_.expires_after(std::chrono::milliseconds(reply.delay_ms));
        timer_.async_wait([self, res](beast::error_code ec) {
          if (!ec && !self->closed_) self->write(res);
        });
        return;
      }
      case Delivery::stall:
        // Nothing comes back; the connection is dropped after the delay.
        stream_.expires_never();
        hold_then_close(reply.delay_ms);
        return;
      case Delivery::stall_body: {
        // Headers announce the whole body; half of it arrives, then nothing.
        auto res = build(reply, false);
        std::ostringstream head;
        head << "HTTP/1.1 " << res->result_int() << " " << res->reason() << "\r\n";
        for (const auto& f : *res) head << f.name_string() << ": " << f.value() << "\r\n";
        head << "\r\n";
        raw_ = head.str() + res->body().substr(0, res->body().size() / 2);
        stream_.expires_never();
        boost::asio::async_write(stream_.socket(), boost::asio::buffer(raw_),
                                 [self, delay = reply.delay_ms](beast::error_code ec, std::size_t) {
                                   if (ec) {
                                     self->close();
                                     return;
                                   }
                                   self->hold_then_close(delay);
                                 });
        return;
      }
      case Delivery::disconnect:
        close();
        return;
    }
  }

  void hold_then_close(int delay_ms) {
    auto self = shared_from_this();
    timer_.expires_after(std::chrono::milliseconds(delay_ms));
    timer_.async_wait([self](beast::error_code) { self->close(); });
  }

  void write(std::shared_ptr<http::response<http::string_body>> res) {
    stream_.expires_after(std::chrono::seconds(60));
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (ec || !res->keep_alive()) {
                          self->close();
                          return;
                        }
                        self->read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  boost::asio::steady_timer timer_;
  World& world_;
  std::string raw_;
  bool keep_alive_ = true;
  bool closed_ = false;
};

Server::Server(boost::asio::io_context& io) : io_(io), acceptor_(io) {}

Server::~Server() {
  stop();
}

unsigned short Server::bind(const std::string& host, unsigned short port) {
  const tcp::endpoint ep(boost::asio::ip::make_address(host), port);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(boost::asio::socket_base::max_listen_connections);
  return acceptor_.local_endpoint().port();
}

void Server::start(World& world) {
  world_ = &world;
  accept();
}

void Server::accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
      accept();  // e.g. out of descriptors for a moment: keep serving the others
      return;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    world_->count_connection();
    auto session = std::make_shared<Session>(std::move(socket), *world_);
    // Forget sessions that have ended, now and then.
    if (sessions_.size() > 1024) {
      std::erase_if(sessions_, [](const std::weak_ptr<Session>& w) { return w.expired(); });
    }
    sessions_.push_back(session);
    session->start();
    accept();
  });
}

void Server::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  for (auto& weak : sessions_) {
    if (auto s = weak.lock()) s->close();
  }
  sessions_.clear();
}

}  // namespace mamori::fakeplatform
