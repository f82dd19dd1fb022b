// An alert as an Internet message (RFC 5322 + MIME): Japanese subject as RFC 2047 encoded
// words, UTF-8 body in base64, JST Date, and a Message-ID derived from the alert's
// idempotency key so that a resend after a crash carries the same id (mail clients and
// archivers collapse the duplicate).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::alerts::channels {

// A plain addr-spec: one '@', printable ASCII without spaces, quotes, angle brackets, commas,
// semicolons, colons, backslashes or parentheses; a dotted domain. Deliberately stricter
// than RFC 5321: anything exotic is refused rather than risk header or SMTP injection.
bool valid_mail_address(std::string_view address);

// RFC 2047 "B" encoded words for a header value, each at most 75 characters and never
// splitting a UTF-8 character, folded with CRLF + space. Pure printable ASCII is returned as
// is (folded the same way when long).
std::string encode_header_text(std::string_view utf8);

// "Tue, 01 Apr 2025 09:00:00 +0900" (Japan Standard Time, which has no daylight saving).
std::string mail_date(std::chrono::system_clock::time_point t);

// "<mamori.KEY@DOMAIN>": the key as is when it is a safe dot-atom, else its SHA-256 in hex.
std::string mail_message_id(std::string_view idempotency_key, std::string_view domain);

// Base64 in lines of 76 characters, CRLF-terminated.
std::string base64_lines(std::string_view bytes);

struct MailContent {
  std::string from_address;
  std::string from_name;  // UTF-8, encoded as needed
  std::vector<std::string> to;
  std::string subject;  // UTF-8
  std::string body;     // UTF-8 with '\n' line ends (sent as CRLF)
  std::string message_id;
  std::string references;  // optional, "<…>": threads all mail of one incident together
  std::chrono::system_clock::time_point date;
  std::vector<std::pair<std::string, std::string>> extra_headers;  // ASCII only
};

// The whole message with CRLF line ends, ready for SMTP DATA.
std::string build_mail(const MailContent& mail);

}  // namespace mamori::alerts::channels
