// E-mail over SMTP through libcurl. curl's easy interface blocks for the whole SMTP dialogue,
// so sends run on the channel's own worker threads and each result is posted back to the
// io_context: the event loop never waits for a mail server (no blocking call on the loop:
// docs/architecture.md). TLS: STARTTLS is required (curl fails with "STARTTLS not supported" if the
// server does not offer it) unless the channel is configured as a local relay without TLS; implicit
// TLS (smtps://, port 465) is supported too. Certificates are always verified.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "collectors/ratelimit/clock.h"
#include "daemon/alerts/channel.h"
#include "daemon/config/config.h"

namespace mamori::alerts::channels {

enum class SmtpTls {
  starttls,  // smtp://host:587, upgrade required
  implicit,  // smtps://host:465
  none,      // a relay on this machine or a trusted segment (postfix on localhost)
};

struct EmailChannelOptions {
  std::string name;
  std::string url;  // smtp://host[:port] or smtps://host[:port]; no credentials in it
  SmtpTls tls = SmtpTls::starttls;
  std::string from_address;  // mamori@city.example.jp
  std::string from_name = "mamori";
  std::vector<std::string> default_to;  // when the message has no recipient_address
  std::string username;                 // SMTP AUTH; empty: no AUTH
  config::Secret password;
  std::string ca_file;  // a CA bundle instead of the system store
  std::chrono::milliseconds timeout{60000};
  std::chrono::milliseconds connect_timeout{15000};
  std::size_t workers = 2;
  std::size_t max_queued = 1000;  // beyond this, send() fails at once (retryable)
};

class EmailChannel final : public AlertChannel {
 public:
  // Throws std::invalid_argument for a URL that is not smtp(s)://, a URL with credentials, or
  // an invalid from address.
  // `clock` (the daemon's one clock) dates the mails; it must outlive the channel.
  EmailChannel(boost::asio::io_context& io, EmailChannelOptions options,
               const collectors::Clock& clock);
  // Stops the workers: a transfer in progress is aborted, queued sends complete (posted) as
  // retryable failures.
  ~EmailChannel() override;
  EmailChannel(const EmailChannel&) = delete;
  EmailChannel& operator=(const EmailChannel&) = delete;

  std::string_view kind() const override { return "email"; }
  std::string_view name() const override;
  void send(const AlertMessage& message, std::function<void(DeliveryResult)> done) override;

  // The message as sent (for tests and previews).
  std::string compose(const AlertMessage& message, const std::vector<std::string>& to) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "smtp://mail.example.jp" (scheme + host, no port, user or path); "(invalid URL)" otherwise.
std::string redact_mail_url(std::string_view url);

}  // namespace mamori::alerts::channels
