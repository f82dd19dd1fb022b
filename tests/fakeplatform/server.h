// The fake platform's HTTP/1.1 server (Boost.Beast, one io_context thread): keep-alive
// sessions that hand each request to the World and carry out its delivery (normal, slow,
// stalled, cut off, dropped), gzip when the client accepts it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>
#include <vector>

#include "tests/fakeplatform/world.h"

namespace mamori::fakeplatform {

class Server {
 public:
  explicit Server(boost::asio::io_context& io);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds (port 0: any free port); returns the bound port. Throws std::system_error.
  unsigned short bind(const std::string& host, unsigned short port);
  // Starts accepting; requests go to `world`, which must outlive the server.
  void start(World& world);
  // No new connections; open ones are closed (stalled ones too).
  void stop();

  class Session;

 private:
  void accept();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  World* world_ = nullptr;
  std::vector<std::weak_ptr<Session>> sessions_;
};

}  // namespace mamori::fakeplatform
