#include "daemon/alerts/channels/email_channel.h"

#include <curl/curl.h>
#include <sodium.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "daemon/alerts/channels/message_text.h"
#include "daemon/alerts/channels/mime_message.h"

namespace mamori::alerts::channels {
namespace {

struct UrlInfo {
  std::string scheme;
  std::string host;
  bool has_credentials = false;
};

std::optional<UrlInfo> parse_mail_url(std::string_view url) {
  CURLU* u = curl_url();
  if (u == nullptr) return std::nullopt;
  std::optional<UrlInfo> out;
  const std::string s(url);
  if (curl_url_set(u, CURLUPART_URL, s.c_str(), 0) == CURLUE_OK) {
    char* scheme = nullptr;
    char* host = nullptr;
    char* user = nullptr;
    char* password = nullptr;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
      UrlInfo info;
      info.scheme = scheme;
      info.host = host;
      info.has_credentials = curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
                             curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK;
      out = std::move(info);
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(password);
  }
  curl_url_cleanup(u);
  return out;
}

std::string domain_of(const std::string& address) {
  const auto at = address.find('@');
  return at == std::string::npos ? std::string("localhost") : address.substr(at + 1);
}

struct Job {
  std::string mail;
  std::vector<std::string> recipients;
  std::function<void(DeliveryResult)> done;
};

struct Upload {
  const std::string* data;
  std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t nitems,
                        void* userdata) noexcept {
  auto* up = static_cast<Upload*>(userdata);
  const std::size_t room = size * nitems;
  const std::size_t n = std::min(room, up->data->size() - up->offset);
  std::memcpy(buffer, up->data->data() + up->offset, n);
  up->offset += n;
  return n;
}

int abort_when_stopping(void* clientp, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept {
  return static_cast<std::atomic<bool>*>(clientp)->load() ? 1 : 0;
}

// SMTP reply classes (RFC 5321 §4.2.1): 4yz transient, 5yz permanent.
DeliveryResult classify(CURLcode code, long reply, const std::string& target) {
  DeliveryResult r;
  r.status = static_cast<int>(reply);
  const std::string where = " (" + target + ")";
  if (code == CURLE_OK) {
    r.delivered = true;
    r.retryable = false;
    r.detail = "メールを送信しました (SMTP " + std::to_string(reply) + ")";
    return r;
  }
  r.delivered = false;
  switch (code) {
    case CURLE_USE_SSL_FAILED:
      r.retryable = false;
      r.detail = "メール: サーバーが STARTTLS に対応していないため送信しません" + where +
                 " TLS なしで送るのはローカルの中継サーバーに限り、設定で tls = \"none\" とします";
      return r;
    case CURLE_LOGIN_DENIED:
      r.retryable = false;
      r.detail =
          "メール: SMTP 認証に失敗しました" + where + " ユーザー名とパスワードを確認してください";
      return r;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      r.retryable = false;
      r.detail = "メール: SMTP サーバーの URL が不正です" + where;
      return r;
    case CURLE_ABORTED_BY_CALLBACK:
      r.retryable = true;
      r.detail = "メール: 停止中のため送信を中断しました" + where;
      return r;
    case CURLE_OPERATION_TIMEDOUT:
      r.retryable = true;
      r.detail = "メール: SMTP サーバーの応答がありません (タイムアウト)" + where;
      return r;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
      r.retryable = true;
      r.detail = "メール: SMTP サーバーに接続できません" + where;
      return r;
    default:
      break;
  }
  if (reply >= 400 && reply < 500) {
    r.retryable = true;
    r.detail = "メール: SMTP " + std::to_string(reply) + " 一時的なエラーです" + where;
  } else if (reply >= 500 && reply < 600) {
    r.retryable = false;
    r.detail = "メール: SMTP " + std::to_string(reply) + " 受け付けられませんでした" + where +
               " 宛先と送信元アドレスを確認してください";
  } else {
    r.retryable = true;
    r.detail = std::string("メール: ") + curl_easy_strerror(code) + where;
  }
  return r;
}

}  // namespace

std::string redact_mail_url(std::string_view url) {
  const auto info = parse_mail_url(url);
  if (!info) return "(invalid URL)";
  return info->scheme + "://" + info->host;
}

struct EmailChannel::Impl {
  boost::asio::io_context& io;
  EmailChannelOptions options;
  const collectors::Clock& clock;
  std::string target;  // redacted URL
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Job> queue;
  std::atomic<bool> stopping{false};
  std::vector<std::thread> threads;

  Impl(boost::asio::io_context& i, EmailChannelOptions o, const collectors::Clock& c)
      : io(i), options(std::move(o)), clock(c) {}

  void complete(std::function<void(DeliveryResult)> done, DeliveryResult result) {
    boost::asio::post(io, [done = std::move(done), result = std::move(result)]() mutable {
      done(std::move(result));
    });
  }

  void run() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [&] { return stopping.load() || !queue.empty(); });
        if (stopping.load()) return;
        job = std::move(queue.front());
        queue.pop_front();
      }
      DeliveryResult result = transfer(job);
      complete(std::move(job.done), std::move(result));
    }
  }

  DeliveryResult transfer(const Job& job) {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) {
      DeliveryResult r;
      r.detail = "メール: curl を初期化できません";
      return r;
    }
    curl_slist* rcpts = nullptr;
    for (const auto& a : job.recipients) rcpts = curl_slist_append(rcpts, ("<" + a + ">").c_str());
    Upload upload{&job.mail, 0};
    char error[CURL_ERROR_SIZE] = {0};
    const std::string from = "<" + options.from_address + ">";
    curl_easy_setopt(curl, CURLOPT_URL, options.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(
        curl, CURLOPT_USE_SSL,
        static_cast<long>(options.tls == SmtpTls::none ? CURLUSESSL_NONE : CURLUSESSL_ALL));
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
    if (!options.username.empty()) {
      curl_easy_setopt(curl, CURLOPT_USERNAME, options.username.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, options.password.reveal().c_str());
    }
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(job.mail.size()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, abort_when_stopping);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &stopping);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    const CURLcode code = curl_easy_perform(curl);
    long reply = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(curl);
    return classify(code, reply, target);
  }

  void stop() {
    std::deque<Job> left;
    {
      std::lock_guard lock(mutex);
      stopping.store(true);
      left.swap(queue);
    }
    wake.notify_all();
    for (auto& t : threads) {
      if (t.joinable()) t.join();
    }
    for (auto& job : left) {
      DeliveryResult r;
      r.retryable = true;
      r.detail = "メール: 停止中のため送信しませんでした (" + target + ")";
      complete(std::move(job.done), std::move(r));
    }
  }
};

EmailChannel::EmailChannel(boost::asio::io_context& io, EmailChannelOptions options,
                           const collectors::Clock& clock) {
  const auto info = parse_mail_url(options.url);
  if (!info || (info->scheme != "smtp" && info->scheme != "smtps")) {
    throw std::invalid_argument(
        "e-mail channel: url must be smtp://host[:port] or smtps://host[:port]");
  }
  if (info->has_credentials) {
    throw std::invalid_argument(
        "e-mail channel: put the SMTP user and password in username/password, not in the URL");
  }
  if (info->scheme == "smtps") options.tls = SmtpTls::implicit;
  if (!valid_mail_address(options.from_address)) {
    throw std::invalid_argument("e-mail channel: invalid from address");
  }
  if (options.workers == 0) options.workers = 1;
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  impl_ = std::make_unique<Impl>(io, std::move(options), clock);
  impl_->target = redact_mail_url(impl_->options.url);
  for (std::size_t i = 0; i < impl_->options.workers; ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] { impl->run(); });
  }
}

EmailChannel::~EmailChannel() {
  impl_->stop();
}

std::string_view EmailChannel::name() const {
  return impl_->options.name;
}

std::string EmailChannel::compose(const AlertMessage& message,
                                  const std::vector<std::string>& to) const {
  const auto& o = impl_->options;
  MailContent mail;
  mail.from_address = o.from_address;
  mail.from_name = o.from_name;
  mail.to = to;
  mail.subject = headline(message);
  mail.body = plain_text(message);
  const std::string domain = domain_of(o.from_address);
  mail.message_id =
      mail_message_id(message.idempotency_key.empty() ? "alert-" + std::to_string(message.alert_id)
                                                      : message.idempotency_key,
                      domain);
  // Every mail about one incident refers to the same (virtual) root, so clients thread them.
  mail.references = "<mamori.incident-" + std::to_string(message.incident_id) + "@" + domain + ">";
  mail.date = impl_->clock.now();
  mail.extra_headers.emplace_back("X-Mamori-Incident", std::to_string(message.incident_id));
  mail.extra_headers.emplace_back("X-Mamori-Alert-Kind", std::string(to_string(message.kind)));
  return build_mail(mail);
}

void EmailChannel::send(const AlertMessage& message, std::function<void(DeliveryResult)> done) {
  std::vector<std::string> to;
  if (!message.recipient_address.empty())
    to.push_back(message.recipient_address);
  else
    to = impl_->options.default_to;
  DeliveryResult refused;
  refused.retryable = false;
  if (to.empty()) {
    refused.detail = "メール: 宛先が設定されていません";
  }
  for (const auto& a : to) {
    if (!valid_mail_address(a)) {
      refused.detail = "メール: 宛先アドレスが不正です";
      break;
    }
  }
  if (!refused.detail.empty()) {
    impl_->complete(std::move(done), std::move(refused));
    return;
  }
  Job job{compose(message, to), std::move(to), std::move(done)};
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->stopping.load() && impl_->queue.size() < impl_->options.max_queued) {
      impl_->queue.push_back(std::move(job));
      impl_->wake.notify_one();
      return;
    }
  }
  DeliveryResult busy;
  busy.retryable = true;
  busy.detail = "メール: 送信待ちが上限に達しています (" + impl_->target + ")";
  impl_->complete(std::move(job.done), std::move(busy));
}

}  // namespace mamori::alerts::channels
