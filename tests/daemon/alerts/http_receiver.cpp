#include "tests/daemon/alerts/http_receiver.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <mutex>
#include <thread>

#include "model/text.h"

namespace mamori::alerts::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpReceiver::Impl : std::enable_shared_from_this<Impl> {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;
  mutable std::mutex mutex;
  std::vector<ReceivedRequest> log;
  Handler handler;
  std::vector<std::shared_ptr<tcp::socket>> hanging;

  ReceiverReply answer(const ReceivedRequest& r) {
    std::lock_guard lock(mutex);
    log.push_back(r);
    return handler ? handler(r) : ReceiverReply{};
  }

  void accept() {
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      self->serve(std::make_shared<tcp::socket>(std::move(socket)));
      self->accept();
    });
  }

  void serve(std::shared_ptr<tcp::socket> socket) {
    auto buffer = std::make_shared<beast::flat_buffer>();
    auto request = std::make_shared<http::request<http::string_body>>();
    http::async_read(
        *socket, *buffer, *request,
        [self = shared_from_this(), socket, buffer, request](beast::error_code ec, std::size_t) {
          if (ec) return;
          ReceivedRequest r;
          r.method = std::string(request->method_string());
          r.target = std::string(request->target());
          for (const auto& f : *request) {
            std::string name(f.name_string());
            name = model::ascii_lower(name);
            r.headers[name] = std::string(f.value());
          }
          r.body = request->body();
          const ReceiverReply reply = self->answer(r);
          if (reply.hang) {
            self->hanging.push_back(socket);
            return;
          }
          auto response = std::make_shared<http::response<http::string_body>>(
              static_cast<http::status>(reply.status), request->version());
          response->set(http::field::content_type, reply.content_type);
          response->body() = reply.body;
          response->keep_alive(request->keep_alive());
          response->prepare_payload();
          http::async_write(*socket, *response,
                            [self, socket, response](beast::error_code wec, std::size_t) {
                              if (wec) return;
                              if (!response->keep_alive()) {
                                beast::error_code ignored;
                                socket->shutdown(tcp::socket::shutdown_send, ignored);
                                return;
                              }
                              self->serve(socket);
                            });
        });
  }
};

HttpReceiver::HttpReceiver(unsigned short port) : impl_(std::make_shared<Impl>()) {
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  impl_->accept();
  impl_->thread = std::thread([impl = impl_] { impl->io.run(); });
}

HttpReceiver::~HttpReceiver() {
  // A test helper: stopping the loop outright is enough (the sessions die with it).
  impl_->io.stop();
  impl_->thread.join();
}

void HttpReceiver::set_handler(Handler handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->handler = std::move(handler);
}

unsigned short HttpReceiver::port() const {
  return impl_->acceptor.local_endpoint().port();
}

std::string HttpReceiver::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port());
}

std::vector<ReceivedRequest> HttpReceiver::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->log;
}

unsigned short closed_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const unsigned short port = a.local_endpoint().port();
  a.close();
  return port;
}

}  // namespace mamori::alerts::testing
