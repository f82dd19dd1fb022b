#include "tests/daemon/alerts/smtp_sink.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <istream>
#include <mutex>
#include <thread>

#include "model/text.h"

namespace mamori::alerts::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct SmtpSink::Impl {
  SmtpSinkOptions options;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::atomic<bool> stopping{false};
  mutable std::mutex mutex;
  std::vector<ReceivedMail> mails;
  std::vector<std::string> commands;

  void run() {
    while (!stopping.load()) {
      tcp::socket socket(io);
      boost::system::error_code ec;
      acceptor.accept(socket, ec);
      if (ec || stopping.load()) return;
      // A stalled client must not keep the sink from stopping.
      timeval tv{5, 0};
      setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      session(socket);
    }
  }

  static bool starts_with_ci(const std::string& line, const std::string& prefix) {
    return line.size() >= prefix.size() &&
           model::iequals_ascii(std::string_view(line).substr(0, prefix.size()), prefix);
  }

  static std::string between_angles(const std::string& line) {
    const auto open = line.find('<');
    const auto close = line.find('>', open);
    if (open == std::string::npos || close == std::string::npos) return "";
    return line.substr(open + 1, close - open - 1);
  }

  void session(tcp::socket& socket) {
    asio::streambuf in;
    boost::system::error_code ec;
    auto say = [&](const std::string& line) {
      asio::write(socket, asio::buffer(line + "\r\n"), ec);
    };
    auto read_line = [&](std::string& line) {
      asio::read_until(socket, in, "\r\n", ec);
      if (ec) return false;
      std::istream is(&in);
      std::getline(is, line);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return true;
    };
    auto check_plain = [&](const std::string& b64) {
      const std::string decoded = decode_base64(b64);  // authzid \0 user \0 password
      const auto first = decoded.find('\0');
      const auto second = decoded.find('\0', first + 1);
      if (first == std::string::npos || second == std::string::npos) return std::string();
      const std::string user = decoded.substr(first + 1, second - first - 1);
      const std::string pass = decoded.substr(second + 1);
      return user == options.user && pass == options.password ? user : std::string();
    };
    ReceivedMail mail;
    say("220 sink.test ESMTP");
    std::string line;
    while (read_line(line)) {
      {
        std::lock_guard lock(mutex);
        commands.push_back(starts_with_ci(line, "AUTH") ? "AUTH (redacted)" : line);
      }
      if (starts_with_ci(line, "EHLO")) {
        mail = ReceivedMail{};
        mail.ehlo = line.size() > 5 ? line.substr(5) : "";
        say("250-sink.test");
        if (!options.user.empty()) say("250-AUTH PLAIN");
        say("250 8BITMIME");
      } else if (starts_with_ci(line, "HELO")) {
        say("250 sink.test");
      } else if (starts_with_ci(line, "AUTH PLAIN")) {
        std::string b64 = line.size() > 11 ? line.substr(11) : "";
        if (b64.empty()) {
          say("334 ");
          if (!read_line(b64)) return;
        }
        const std::string user = check_plain(b64);
        if (!user.empty()) {
          mail.auth_user = user;
          say("235 2.7.0 authenticated");
        } else {
          say("535 5.7.8 authentication failed");
        }
      } else if (starts_with_ci(line, "MAIL FROM:")) {
        if (!options.user.empty() && mail.auth_user.empty()) {
          say("530 5.7.0 authentication required");
          continue;
        }
        mail.mail_from = between_angles(line);
        mail.rcpt_to.clear();
        say("250 2.1.0 ok");
      } else if (starts_with_ci(line, "RCPT TO:")) {
        say(options.rcpt_reply);
        if (options.rcpt_reply.rfind("250", 0) == 0) mail.rcpt_to.push_back(between_angles(line));
      } else if (starts_with_ci(line, "DATA")) {
        say("354 end with <CRLF>.<CRLF>");
        std::string data;
        std::string l;
        while (read_line(l)) {
          if (l == ".") break;
          if (!l.empty() && l[0] == '.') l.erase(0, 1);  // dot-unstuffing
          data += l + "\r\n";
        }
        if (ec) return;
        say(options.data_reply);
        if (options.data_reply.rfind("250", 0) == 0) {
          mail.data = std::move(data);
          std::lock_guard lock(mutex);
          mails.push_back(mail);
        }
      } else if (starts_with_ci(line, "RSET") || starts_with_ci(line, "NOOP")) {
        say("250 2.0.0 ok");
      } else if (starts_with_ci(line, "QUIT")) {
        say("221 2.0.0 bye");
        return;
      } else {
        say("502 5.5.2 command not implemented");
      }
      if (ec) return;
    }
  }
};

SmtpSink::SmtpSink(SmtpSinkOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

SmtpSink::~SmtpSink() {
  impl_->stopping.store(true);
  // Wake the blocking accept() with a connection of our own.
  boost::system::error_code ec;
  asio::io_context io;
  tcp::socket poke(io);
  poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()), ec);
  impl_->thread.join();
}

unsigned short SmtpSink::port() const {
  return impl_->acceptor.local_endpoint().port();
}

std::string SmtpSink::url() const {
  return "smtp://127.0.0.1:" + std::to_string(port());
}

std::vector<ReceivedMail> SmtpSink::mails() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->mails;
}

std::vector<std::string> SmtpSink::commands() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->commands;
}

ParsedMail parse_mail(const std::string& data) {
  ParsedMail out;
  const auto split = data.find("\r\n\r\n");
  const std::string head = data.substr(0, split);
  out.body = split == std::string::npos ? "" : data.substr(split + 4);
  std::string current;
  auto flush = [&] {
    const auto colon = current.find(':');
    if (colon == std::string::npos) return;
    std::string name = current.substr(0, colon);
    name = model::ascii_lower(name);
    std::string value = current.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    out.headers[name] = value;
  };
  std::size_t pos = 0;
  while (pos <= head.size()) {
    auto end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    const std::string line = head.substr(pos, end - pos);
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      current += line;  // unfolding keeps the whitespace
    } else {
      flush();
      current = line;
    }
    pos = end + 2;
  }
  flush();
  return out;
}

std::string decode_base64(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) continue;  // CR, LF, '='
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

std::string decode_encoded_words(const std::string& value) {
  std::string out;
  std::size_t pos = 0;
  bool last_was_word = false;
  while (pos < value.size()) {
    const auto start = value.find("=?", pos);
    if (start == std::string::npos) {
      out += value.substr(pos);
      break;
    }
    const std::string between = value.substr(pos, start - pos);
    // RFC 2047 §6.2: whitespace between adjacent encoded words is not displayed.
    if (!(last_was_word && between.find_first_not_of(" \t\r\n") == std::string::npos))
      out += between;
    const auto q1 = value.find('?', start + 2);
    const auto q2 = q1 == std::string::npos ? q1 : value.find('?', q1 + 1);
    const auto end = q2 == std::string::npos ? q2 : value.find("?=", q2 + 1);
    if (end == std::string::npos) {
      out += value.substr(start);
      break;
    }
    const char encoding =
        static_cast<char>(std::toupper(static_cast<unsigned char>(value[q1 + 1])));
    const std::string text = value.substr(q2 + 1, end - q2 - 1);
    if (encoding == 'B') {
      out += decode_base64(text);
    } else {
      for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '_')
          out += ' ';
        else if (text[i] == '=' && i + 2 < text.size()) {
          out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else
          out += text[i];
      }
    }
    pos = end + 2;
    last_was_word = true;
  }
  return out;
}

}  // namespace mamori::alerts::testing
