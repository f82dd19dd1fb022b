// A small SMTP server for the e-mail tests: plain SMTP on 127.0.0.1 (port 0), one connection
// at a time on its own thread, recording envelopes and message data. It can require AUTH
// PLAIN and answer RCPT/DATA with chosen replies; it never offers STARTTLS, which is exactly
// what the "STARTTLS required but not offered" test needs. Plus the MIME decoding the tests
// use to read what arrived (RFC 2047 words, base64 bodies), written independently of the
// channel's encoder.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mamori::alerts::testing {

struct SmtpSinkOptions {
  std::string user;  // non-empty: AUTH PLAIN advertised, these credentials accepted
  std::string password;
  std::string rcpt_reply = "250 2.1.5 ok";
  std::string data_reply = "250 2.0.0 queued";
};

struct ReceivedMail {
  std::string ehlo;
  std::string auth_user;  // empty when not authenticated
  std::string mail_from;  // the address inside <>
  std::vector<std::string> rcpt_to;
  std::string data;  // as received, dot-unstuffed, CRLF line ends
};

class SmtpSink {
 public:
  explicit SmtpSink(SmtpSinkOptions options = {});
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  unsigned short port() const;
  std::string url() const;                    // "smtp://127.0.0.1:PORT"
  std::vector<ReceivedMail> mails() const;    // completed DATA transactions
  std::vector<std::string> commands() const;  // every command line received (AUTH redacted)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Header fields of an RFC 5322 message: names lower-cased, folded lines unfolded.
struct ParsedMail {
  std::map<std::string, std::string> headers;
  std::string body;  // after the blank line
};
ParsedMail parse_mail(const std::string& data);
std::string decode_base64(const std::string& text);  // ignores CR/LF
// Decodes every =?charset?B|Q?…?= word (whitespace between adjacent words dropped).
std::string decode_encoded_words(const std::string& value);

}  // namespace mamori::alerts::testing
