// A webhook receiver for the alert tests: a Beast HTTP/1.1 server on 127.0.0.1, port 0, on its
// own thread, recording every request and answering through a handler the test sets
// (status codes, bodies, or no answer at all to provoke a timeout).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mamori::alerts::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct ReceiverReply {
  int status = 200;
  std::string body = "ok";
  std::string content_type = "text/plain";
  bool hang = false;  // never answer (the connection stays open until the receiver stops)
};

class HttpReceiver {
 public:
  using Handler = std::function<ReceiverReply(const ReceivedRequest&)>;
  // On `port` (0: any free one); a fixed port lets a test bring a receiver "back up".
  explicit HttpReceiver(unsigned short port = 0);
  ~HttpReceiver();
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  void set_handler(Handler handler);
  unsigned short port() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT"
  std::vector<ReceivedRequest> requests() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// A loopback port with nothing listening (bound, then closed): connections are refused.
unsigned short closed_port();

}  // namespace mamori::alerts::testing
