#include "collectors/http/curl_multi_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "model/text.h"

namespace mamori::collectors {
namespace {

using SteadyClock = std::chrono::steady_clock;

void global_init_once() {
  // curl_global_init is not thread-safe; the first client is built on the main thread before
  // the loop runs, and call_once makes a second one harmless.
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("libcurl global initialisation failed");
    }
  });
}

bool has_control_chars(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](unsigned char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

std::string lower(std::string_view s) {
  return model::ascii_lower(s);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

HttpOutcome outcome_for(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return HttpOutcome::ok;
    case CURLE_OPERATION_TIMEDOUT:
      return HttpOutcome::timeout;
    case CURLE_FILESIZE_EXCEEDED:
      return HttpOutcome::too_large;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_PROXY:
      return HttpOutcome::connect_error;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return HttpOutcome::tls_error;
    default:
      return HttpOutcome::other_error;
  }
}

}  // namespace

// One request: queued until a transfer slot is free, then an easy handle in the multi handle.
struct Transfer {
  HttpRequest request;
  HttpClient::Completion done;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  HttpResponse response;
  std::size_t max_body = 0;
  std::size_t max_header_bytes = 0;
  std::size_t header_bytes = 0;
  bool body_too_large = false;
  bool headers_too_large = false;
  bool out_of_memory = false;
  SteadyClock::time_point started{};

  ~Transfer() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    if (header_list != nullptr) curl_slist_free_all(header_list);
  }
};

// A socket libcurl asked us to watch. Not necessarily one of its TCP connections (the threaded
// resolver hands over a socketpair end), and never ours to close: we wrap the descriptor only to
// wait for readiness, and release() it — never close() — when curl is done with it.
struct SocketWatch {
  SocketWatch(boost::asio::io_context& io, curl_socket_t s) : fd(s), descriptor(io) {
    descriptor.assign(s);
  }
  ~SocketWatch() { forget(); }
  void forget() {
    closed = true;
    // release() cancels pending waits (their handlers see operation_aborted) and deregisters
    // the descriptor from the reactor without closing it.
    if (descriptor.is_open()) descriptor.release();
  }
  curl_socket_t fd;
  boost::asio::posix::stream_descriptor descriptor;
  int wanted = CURL_POLL_NONE;
  bool read_waiting = false;
  bool write_waiting = false;
  bool closed = false;
};

struct CurlMultiClient::Impl : std::enable_shared_from_this<Impl> {
  Impl(boost::asio::io_context& io_context, CurlClientOptions opts)
      : io(io_context), options(std::move(opts)), timer(io_context) {}

  ~Impl() {
    stop();
    if (multi != nullptr) {
      // Closes cached connections; curl reports their sockets with CURL_POLL_REMOVE first.
      curl_multi_cleanup(multi);
      multi = nullptr;
    }
    for (auto& [fd, watch] : sockets) watch->forget();
    sockets.clear();
  }

  void init() {
    global_init_once();
    multi = curl_multi_init();
    if (multi == nullptr) throw std::runtime_error("curl_multi_init failed");
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Impl::on_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Impl::on_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    // Idle keep-alive connections kept for reuse.
    const long cache = static_cast<long>(std::max<std::size_t>(options.max_in_flight, 8));
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, cache);
  }

  // ---- curl callbacks: C frames above us, so nothing may throw out of them ----

  static int on_socket(CURL* /*easy*/, curl_socket_t s, int what, void* userp,
                       void* socketp) noexcept {
    auto* self = static_cast<Impl*>(userp);
    try {
      if (what == CURL_POLL_REMOVE) {
        if (socketp != nullptr) self->forget_socket(s);
        return 0;
      }
      std::shared_ptr<SocketWatch> watch;
      if (socketp == nullptr) {
        // A socket we have not seen: maybe curl's own connection, maybe its resolver's pipe.
        self->forget_socket(s);  // a stale entry for a reused descriptor number
        watch = std::make_shared<SocketWatch>(self->io, s);
        if (curl_multi_assign(self->multi, s, watch.get()) != CURLM_OK) return -1;
        self->sockets.emplace(s, watch);
      } else {
        auto it = self->sockets.find(s);
        if (it == self->sockets.end()) return -1;
        watch = it->second;
      }
      watch->wanted = what;
      self->arm(watch);
      return 0;
    } catch (const std::exception& e) {
      // -1 makes curl fail the transfers on this socket; the reason is kept for their errors.
      self->last_callback_error = e.what();
      return -1;
    }
  }

  static int on_timer(CURLM* /*multi*/, long timeout_ms, void* userp) noexcept {
    auto* self = static_cast<Impl*>(userp);
    try {
      if (timeout_ms < 0) {  // -1: no timeout wanted any more
        self->timer.cancel();
        self->timer_pending = false;
        return 0;
      }
      const auto deadline = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
      // curl asks again for "now" with every handle added; re-arming the timer each time costs
      // a reactor update per request. A pending wait that fires no later than asked will do —
      // but only for a zero timeout: for a later one curl would not ask again after an early
      // wake-up, so that must be armed exactly.
      if (self->timer_pending &&
          (timeout_ms == 0 ? self->timer_deadline <= deadline : self->timer_deadline == deadline)) {
        return 0;
      }
      // Even a zero timeout goes through the timer: calling curl_multi_socket_action from here
      // would re-enter curl.
      self->timer.expires_at(deadline);
      self->timer_deadline = deadline;
      self->timer_pending = true;
      const std::uint64_t generation = ++self->timer_generation;
      self->timer.async_wait(
          [weak = self->weak_from_this(), generation](const boost::system::error_code& ec) {
            if (ec) return;
            auto me = weak.lock();
            if (!me) return;
            if (me->timer_generation == generation) me->timer_pending = false;
            me->on_timeout();
          });
      return 0;
    } catch (const std::exception& e) {
      self->last_callback_error = e.what();
      return -1;
    }
  }

  static std::size_t on_body(char* data, std::size_t size, std::size_t count,
                             void* userp) noexcept {
    auto* t = static_cast<Transfer*>(userp);
    const std::size_t bytes = size * count;
    if (t->response.body.size() + bytes > t->max_body) {
      t->body_too_large = true;
      return 0;  // any count other than `bytes` aborts the transfer
    }
    try {
      t->response.body.append(data, bytes);
    } catch (const std::bad_alloc&) {
      t->out_of_memory = true;
      return 0;
    }
    return bytes;
  }

  static std::size_t on_header(char* data, std::size_t size, std::size_t count,
                               void* userp) noexcept {
    auto* t = static_cast<Transfer*>(userp);
    const std::size_t bytes = size * count;
    t->header_bytes += bytes;
    if (t->header_bytes > t->max_header_bytes) {
      t->headers_too_large = true;
      return 0;
    }
    try {
      const std::string_view line(data, bytes);
      if (line.substr(0, 5) == "HTTP/") {
        // A new response begins (after a 100 Continue or a proxy's CONNECT reply): only the
        // final response's headers count.
        t->response.headers.clear();
        return bytes;
      }
      if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
        // Obsolete line folding: a continuation of the previous header's value.
        if (!t->response.headers.empty()) {
          auto& value = t->response.headers.back().second;
          value += ' ';
          value += trim(line);
        }
        return bytes;
      }
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) return bytes;  // the blank line ending the headers
      t->response.headers.emplace_back(lower(trim(line.substr(0, colon))),
                                       std::string(trim(line.substr(colon + 1))));
    } catch (const std::bad_alloc&) {
      t->out_of_memory = true;
      return 0;
    }
    return bytes;
  }

  // ---- Asio side ----

  void forget_socket(curl_socket_t s) {
    auto it = sockets.find(s);
    if (it == sockets.end()) return;
    it->second->forget();
    sockets.erase(it);
  }

  void arm(const std::shared_ptr<SocketWatch>& watch) {
    if (watch->closed) return;
    using boost::asio::posix::descriptor_base;
    if ((watch->wanted & CURL_POLL_IN) != 0 && !watch->read_waiting) {
      watch->read_waiting = true;
      watch->descriptor.async_wait(
          descriptor_base::wait_read,
          [weak = weak_from_this(), watch](const boost::system::error_code& ec) {
            watch->read_waiting = false;
            if (ec == boost::asio::error::operation_aborted) return;
            if (auto me = weak.lock()) me->on_ready(watch, ec, CURL_CSELECT_IN);
          });
    }
    if ((watch->wanted & CURL_POLL_OUT) != 0 && !watch->write_waiting) {
      watch->write_waiting = true;
      watch->descriptor.async_wait(
          descriptor_base::wait_write,
          [weak = weak_from_this(), watch](const boost::system::error_code& ec) {
            watch->write_waiting = false;
            if (ec == boost::asio::error::operation_aborted) return;
            if (auto me = weak.lock()) me->on_ready(watch, ec, CURL_CSELECT_OUT);
          });
    }
  }

  void on_ready(const std::shared_ptr<SocketWatch>& watch, const boost::system::error_code& ec,
                int direction) {
    if (watch->closed) return;
    // A wait left over from before curl changed its interest: nothing to report.
    const int wanted_bit = direction == CURL_CSELECT_IN ? CURL_POLL_IN : CURL_POLL_OUT;
    if ((watch->wanted & wanted_bit) == 0) return;
    socket_action(watch->fd, ec ? CURL_CSELECT_ERR : direction);
    // curl stays interested without telling us again: wait for the next readiness.
    if (!watch->closed) arm(watch);
    collect_finished();
  }

  void on_timeout() {
    socket_action(CURL_SOCKET_TIMEOUT, 0);
    collect_finished();
  }

  void socket_action(curl_socket_t s, int events) {
    int running = 0;
    const CURLMcode rc = curl_multi_socket_action(multi, s, events, &running);
    if (rc != CURLM_OK) last_callback_error = curl_multi_strerror(rc);
  }

  // Outside every curl callback: safe to remove handles and to start queued transfers.
  void collect_finished() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      const CURLcode result = msg->data.result;
      char* priv = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
      auto* raw = reinterpret_cast<Transfer*>(priv);
      curl_multi_remove_handle(multi, easy);
      auto it = active.find(raw);
      if (it == active.end()) continue;
      std::unique_ptr<Transfer> t = std::move(it->second);
      active.erase(it);
      finish(*t, result);
    }
    schedule_start();
  }

  void finish(Transfer& t, CURLcode result) {
    HttpResponse& r = t.response;
    r.elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - t.started);
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    r.status = static_cast<int>(status);
    long connects = 0;
    if (curl_easy_getinfo(t.easy, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK && connects > 0) {
      connections += static_cast<std::uint64_t>(connects);
    }
    if (t.body_too_large || (result == CURLE_FILESIZE_EXCEEDED)) {
      r.outcome = HttpOutcome::too_large;
      r.error =
          "response body larger than " + std::to_string(t.max_body) + " bytes; transfer aborted";
      r.body.clear();
    } else if (t.headers_too_large) {
      r.outcome = HttpOutcome::too_large;
      r.error = "response headers larger than " + std::to_string(t.max_header_bytes) +
                " bytes; transfer aborted";
      r.body.clear();
    } else if (t.out_of_memory) {
      r.outcome = HttpOutcome::other_error;
      r.error = "out of memory while receiving the response";
      r.body.clear();
    } else {
      r.outcome = outcome_for(result);
      if (result != CURLE_OK) {
        const std::string detail = t.error_buffer[0] != '\0'
                                       ? std::string(t.error_buffer.data())
                                       : std::string(curl_easy_strerror(result));
        r.error = detail;
        if (!last_callback_error.empty()) {
          r.error += " (" + last_callback_error + ")";
          last_callback_error.clear();
        }
      }
    }
    // A status only means something when a response arrived (too_large: the one we cut off).
    if (r.outcome != HttpOutcome::ok && r.outcome != HttpOutcome::too_large) r.status = 0;
    complete(std::move(t.done), std::move(r));
  }

  void complete(Completion done, HttpResponse response) {
    boost::asio::post(io, [done = std::move(done), response = std::move(response)]() mutable {
      done(std::move(response));
    });
  }

  void refuse(Completion done, HttpOutcome outcome, std::string error) {
    HttpResponse r;
    r.outcome = outcome;
    r.error = std::move(error);
    complete(std::move(done), std::move(r));
  }

  // Starts queued transfers on a later turn of the loop, a batch at a time: each start costs
  // curl a socket() and connect() on its next timeout, and thousands at once would stall
  // everything else on the loop.
  void schedule_start() {
    if (start_scheduled || stopped || queue.empty() || active.size() >= options.max_in_flight)
      return;
    start_scheduled = true;
    boost::asio::post(io, [weak = weak_from_this()] {
      if (auto me = weak.lock()) {
        me->start_scheduled = false;
        me->start_queued();
      }
    });
  }

  void start_queued() {
    std::size_t started = 0;
    while (!stopped && active.size() < options.max_in_flight && !queue.empty() &&
           started < options.start_batch) {
      std::unique_ptr<Transfer> t = std::move(queue.front());
      queue.pop_front();
      start(std::move(t));
      ++started;
    }
    schedule_start();
  }

  bool configure(Transfer& t, std::string& why) {
    CURL* e = t.easy;
    const HttpRequest& rq = t.request;
    auto ok = [&](CURLcode rc, const char* what) {
      if (rc == CURLE_OK) return true;
      why = std::string(what) + ": " + curl_easy_strerror(rc);
      return false;
    };
    const long timeout_ms = std::max<long>(1, static_cast<long>(rq.timeout.count()));
    const long connect_ms = std::min<long>(
        timeout_ms, std::max<long>(1, static_cast<long>(options.connect_timeout.count())));
    if (!ok(curl_easy_setopt(e, CURLOPT_URL, rq.url.c_str()), "url") ||
        !ok(curl_easy_setopt(e, CURLOPT_PRIVATE, &t), "private") ||
        !ok(curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https"), "protocols") ||
        !ok(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L), "nosignal") ||
        !ok(curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error_buffer.data()), "errorbuffer") ||
        !ok(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::on_body), "writefunction") ||
        !ok(curl_easy_setopt(e, CURLOPT_WRITEDATA, &t), "writedata") ||
        !ok(curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Impl::on_header), "headerfunction") ||
        !ok(curl_easy_setopt(e, CURLOPT_HEADERDATA, &t), "headerdata") ||
        !ok(curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms), "timeout") ||
        !ok(curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, connect_ms), "connecttimeout") ||
        // Empty string: offer every encoding this libcurl decodes (gzip, deflate, br, zstd).
        !ok(curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""), "accept-encoding") ||
        !ok(curl_easy_setopt(e, CURLOPT_USERAGENT, options.user_agent.c_str()), "useragent") ||
        !ok(curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L), "verifypeer") ||
        !ok(curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L), "verifyhost") ||
        !ok(curl_easy_setopt(e, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2)),
            "sslversion") ||
        !ok(curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L), "followlocation") ||
        !ok(curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L), "keepalive") ||
        !ok(curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(t.max_body)),
            "maxfilesize") ||
        // "" disables the proxy environment variables when no proxy is configured.
        !ok(curl_easy_setopt(e, CURLOPT_PROXY, options.proxy.c_str()), "proxy")) {
      return false;
    }
    if (!options.no_proxy.empty() &&
        !ok(curl_easy_setopt(e, CURLOPT_NOPROXY, options.no_proxy.c_str()), "noproxy"))
      return false;
    if (!options.ca_file.empty() &&
        (!ok(curl_easy_setopt(e, CURLOPT_CAINFO, options.ca_file.c_str()), "cainfo") ||
         !ok(curl_easy_setopt(e, CURLOPT_PROXY_CAINFO, options.ca_file.c_str()), "proxy-cainfo"))) {
      return false;
    }
    for (const auto& [name, value] : rq.headers) {
      std::string line = name + ": " + value;
      curl_slist* next = curl_slist_append(t.header_list, line.c_str());
      if (next == nullptr) {
        why = "out of memory building request headers";
        return false;
      }
      t.header_list = next;
    }
    if (rq.method == "GET") {
      // the default
    } else if (rq.method == "HEAD") {
      if (!ok(curl_easy_setopt(e, CURLOPT_NOBODY, 1L), "nobody")) return false;
    } else {
      if (rq.method == "POST") {
        if (!ok(curl_easy_setopt(e, CURLOPT_POST, 1L), "post")) return false;
      } else if (!ok(curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, rq.method.c_str()), "method")) {
        return false;
      }
      if (!ok(curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                               static_cast<curl_off_t>(rq.body.size())),
              "bodysize") ||
          !ok(curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq.body.data()), "body")) {
        return false;
      }
      // No "Expect: 100-continue" round trip for our small JSON bodies.
      curl_slist* next = curl_slist_append(t.header_list, "Expect:");
      if (next == nullptr) {
        why = "out of memory building request headers";
        return false;
      }
      t.header_list = next;
    }
    if (t.header_list != nullptr &&
        !ok(curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.header_list), "headers")) {
      return false;
    }
    return true;
  }

  void start(std::unique_ptr<Transfer> t) {
    HttpOutcome refusal = HttpOutcome::other_error;
    std::string why;
    if (!admissible(t->request, refusal, why)) {
      refuse(std::move(t->done), refusal, std::move(why));
      return;
    }
    t->easy = curl_easy_init();
    why = "curl_easy_init failed";
    if (t->easy == nullptr || !configure(*t, why)) {
      refuse(std::move(t->done), HttpOutcome::other_error, why);
      return;
    }
    t->started = SteadyClock::now();
    Transfer* raw = t.get();
    active.emplace(raw, std::move(t));
    const CURLMcode rc = curl_multi_add_handle(multi, raw->easy);
    if (rc != CURLM_OK) {
      auto node = active.extract(raw);
      refuse(std::move(node.mapped()->done), HttpOutcome::other_error,
             std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc));
    }
  }

  // Checks made when a transfer is about to start (not in fetch(), which stays cheap: a burst of
  // thousands of fetch() calls must not stall the loop). Nothing has been sent yet.
  bool admissible(const HttpRequest& request, HttpOutcome& outcome, std::string& why) const {
    outcome = HttpOutcome::other_error;
    const auto url = parse_http_url(request.url);
    if (!url) {
      outcome = HttpOutcome::host_not_allowed;
      why = "not an http(s) URL: " + request.url.substr(0, 200);
      return false;
    }
    if (url->has_credentials) {
      why = "URL carries user credentials; credentials belong in request headers";
      return false;
    }
    if (!options.allowed_hosts.allows(url->host)) {
      outcome = HttpOutcome::host_not_allowed;
      why = "host '" + url->host + "' is not on the allow-list of platform hosts";
      return false;
    }
    for (const auto& [name, value] : request.headers) {
      if (name.empty() || has_control_chars(name) || has_control_chars(value) ||
          name.find(':') != std::string::npos) {
        // The value may be a secret: name the header only.
        why = "request header '" + (has_control_chars(name) ? std::string("?") : name) +
              "' contains a line break, NUL or colon";
        return false;
      }
    }
    if (has_control_chars(request.method) || request.method.empty()) {
      why = "invalid request method";
      return false;
    }
    return true;
  }

  void fetch(HttpRequest request, Completion done) {
    if (!done) return;  // nobody to tell: nothing to do
    if (stopped) {
      refuse(std::move(done), HttpOutcome::cancelled, "HTTP client is shut down");
      return;
    }
    if (queue.size() >= options.max_queued) {
      refuse(std::move(done), HttpOutcome::other_error,
             "HTTP client queue is full (" + std::to_string(options.max_queued) + " requests)");
      return;
    }
    auto t = std::make_unique<Transfer>();
    t->max_body = std::min(request.max_response_bytes, options.max_response_bytes);
    t->max_header_bytes = options.max_header_bytes;
    t->request = std::move(request);
    t->done = std::move(done);
    queue.push_back(std::move(t));
    schedule_start();
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    for (auto& t : queue)
      refuse(std::move(t->done), HttpOutcome::cancelled, "HTTP client shut down");
    queue.clear();
    for (auto& [raw, t] : active) {
      curl_multi_remove_handle(multi, t->easy);
      refuse(std::move(t->done), HttpOutcome::cancelled, "HTTP client shut down");
    }
    active.clear();
    timer.cancel();
    timer_pending = false;
  }

  using Completion = HttpClient::Completion;

  boost::asio::io_context& io;
  CurlClientOptions options;
  CURLM* multi = nullptr;
  boost::asio::steady_timer timer;
  std::unordered_map<curl_socket_t, std::shared_ptr<SocketWatch>> sockets;
  std::unordered_map<Transfer*, std::unique_ptr<Transfer>> active;
  std::deque<std::unique_ptr<Transfer>> queue;
  bool stopped = false;
  bool start_scheduled = false;
  bool timer_pending = false;  // a wait on `timer` is outstanding, due at timer_deadline
  SteadyClock::time_point timer_deadline{};
  std::uint64_t timer_generation = 0;
  std::uint64_t connections = 0;
  std::string last_callback_error;
};

CurlMultiClient::CurlMultiClient(boost::asio::io_context& io, CurlClientOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {
  if (impl_->options.max_in_flight == 0) impl_->options.max_in_flight = 1;
  impl_->init();
}

CurlMultiClient::~CurlMultiClient() = default;

void CurlMultiClient::fetch(HttpRequest request, Completion done) {
  impl_->fetch(std::move(request), std::move(done));
}

void CurlMultiClient::shutdown() {
  impl_->stop();
}

std::size_t CurlMultiClient::in_flight() const {
  return impl_->active.size();
}
std::size_t CurlMultiClient::queued() const {
  return impl_->queue.size();
}
std::uint64_t CurlMultiClient::connections_opened() const {
  return impl_->connections;
}

}  // namespace mamori::collectors
