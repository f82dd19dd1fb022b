// HttpClient on libcurl's multi interface, driven by an Asio io_context: curl tells us which
// sockets to watch (CURLMOPT_SOCKETFUNCTION) and when to wake it (CURLMOPT_TIMERFUNCTION); Asio
// waits for readiness and calls curl_multi_socket_action. Nothing blocks the loop: thousands of
// transfers share the one thread. Modelled on userver's curl-ev (multi.cpp/easy.cpp).
//
// Everything, including fetch() and shutdown(), must be called on the io_context's thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "collectors/http/host_allow_list.h"
#include "collectors/http/http_client.h"

namespace mamori::collectors {

struct CurlClientOptions {
  // Sent on every request; names mamori so platform operators know who is calling.
  std::string user_agent = "mamori (municipal social-media monitoring)";
  // "http://proxy.city.example.jp:8080" or "https://...". Empty: direct. Proxy environment
  // variables are ignored either way: the configuration is the one source of truth.
  std::string proxy;
  std::string no_proxy;  // comma-separated hosts that bypass the proxy
  // A CA bundle to trust instead of the system store (tests with their own CA). TLS peer and
  // host verification are always on; there is no switch to turn them off.
  std::string ca_file;
  std::size_t max_in_flight = 64;   // transfers at once; further requests wait in FIFO order
  std::size_t max_queued = 100000;  // beyond this, fetch() fails at once (other_error)
  // Transfers started per turn of the loop, so a burst of requests never stalls it.
  std::size_t start_batch = 32;
  std::chrono::milliseconds connect_timeout{10000};
  // Ceiling on any request's own max_response_bytes (bodies are counted after decompression,
  // so a gzip bomb is cut off too).
  std::size_t max_response_bytes = 64 * 1024 * 1024;
  std::size_t max_header_bytes = 64 * 1024;
  // Hosts requests may go to. Empty allows nothing: fill it from the platforms' configuration
  // (HostAllowList::add_url_host, default_platform_hosts).
  HostAllowList allowed_hosts;
};

class CurlMultiClient final : public HttpClient {
 public:
  CurlMultiClient(boost::asio::io_context& io, CurlClientOptions options);
  // Cancels whatever is still running or queued (see shutdown()).
  ~CurlMultiClient() override;
  CurlMultiClient(const CurlMultiClient&) = delete;
  CurlMultiClient& operator=(const CurlMultiClient&) = delete;

  // Queues the request (cheap); transfers start on later turns of the loop, in FIFO order, at
  // most max_in_flight at once. `done` is always posted to the io_context: it never runs inside
  // fetch() or shutdown(). A request refused before sending (host not allowed, credentials in
  // the URL, a header with a line break, client shut down) completes the same way, without
  // network traffic. Redirects are not followed (a 3xx is returned as is).
  void fetch(HttpRequest request, Completion done) override;

  // Stops: queued and running transfers complete with HttpOutcome::cancelled, and later
  // fetch() calls too. Idempotent.
  void shutdown();

  std::size_t in_flight() const;
  std::size_t queued() const;
  // New connections opened so far (a reused keep-alive connection does not count).
  std::uint64_t connections_opened() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared: Asio handlers hold weak references to it
};

}  // namespace mamori::collectors
