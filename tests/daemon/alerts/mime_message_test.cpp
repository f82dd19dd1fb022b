// The Internet-message pieces of the e-mail channel: RFC 2047 words, the JST Date, the
// Message-ID from the idempotency key, and header-safe addresses.
#include "daemon/alerts/channels/mime_message.h"

#include <gtest/gtest.h>

#include "tests/daemon/alerts/smtp_sink.h"

namespace mamori::alerts::channels {
namespace {

TEST(MimeMessage, LongJapaneseSubjectsSplitIntoValidEncodedWords) {
  std::string subject = "【緊急】成りすましの疑い: ";
  for (int i = 0; i < 10; ++i) subject += "相馬市公式アカウント";
  const std::string encoded = encode_header_text(subject);
  std::size_t words = 0;
  std::size_t pos = 0;
  while ((pos = encoded.find("=?UTF-8?B?", pos)) != std::string::npos) {
    const auto end = encoded.find("?=", pos + 10);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end + 2 - pos, 75u) << "RFC 2047 limits an encoded word to 75 characters";
    // Each word decodes to whole UTF-8 characters on its own.
    const std::string chunk =
        alerts::testing::decode_base64(encoded.substr(pos + 10, end - pos - 10));
    const auto lead = static_cast<unsigned char>(chunk.front());
    EXPECT_TRUE(lead < 0x80 || lead >= 0xC0) << "a word starts inside a character";
    ++words;
    pos = end;
  }
  EXPECT_GT(words, 3u);
  EXPECT_EQ(alerts::testing::decode_encoded_words(encoded), subject);
  EXPECT_EQ(encode_header_text("Alert 42"), "Alert 42") << "short ASCII stays readable";
}

TEST(MimeMessage, DateIsJapanStandardTime) {
  using namespace std::chrono;
  // 2025-12-31 15:30:05 UTC is 2026-01-01 00:30:05 JST.
  const auto t = sys_days{year{2025} / December / 31} + hours(15) + minutes(30) + seconds(5);
  EXPECT_EQ(mail_date(t), "Thu, 01 Jan 2026 00:30:05 +0900");
}

TEST(MimeMessage, MessageIdIsStablePerKeyAndSafeForAnyKey) {
  EXPECT_EQ(mail_message_id("alert-7-trigger", "city.example.jp"),
            "<mamori.alert-7-trigger@city.example.jp>");
  const std::string odd = mail_message_id("incident 42/escalate <2>", "city.example.jp");
  EXPECT_EQ(odd, mail_message_id("incident 42/escalate <2>", "city.example.jp"));
  EXPECT_NE(odd, mail_message_id("incident 42/escalate <3>", "city.example.jp"));
  EXPECT_EQ(odd.size(), std::string("<mamori.@city.example.jp>").size() + 64) << odd;
  EXPECT_EQ(odd.find(' '), std::string::npos);
}

TEST(MimeMessage, AddressesThatCouldInjectAreRefused) {
  EXPECT_TRUE(valid_mail_address("sato.hanako+oncall@city.example.jp"));
  EXPECT_FALSE(valid_mail_address("sato@city.example.jp\r\nBcc: x@y.z"));
  EXPECT_FALSE(valid_mail_address("<sato@city.example.jp>"));
  EXPECT_FALSE(valid_mail_address("sato"));
  EXPECT_FALSE(valid_mail_address("a@b@c"));
  EXPECT_FALSE(valid_mail_address("佐藤@city.example.jp"));
  EXPECT_FALSE(valid_mail_address("sato@.example.jp"));
}

TEST(MimeMessage, BodyIsBase64OfCrlfText) {
  MailContent m;
  m.from_address = "mamori@city.example.jp";
  m.to = {"a@city.example.jp"};
  m.subject = "件名";
  m.body = "一行目\n二行目\n";
  m.message_id = "<x@city.example.jp>";
  const std::string mail = build_mail(m);
  const auto parsed = alerts::testing::parse_mail(mail);
  EXPECT_EQ(alerts::testing::decode_base64(parsed.body), "一行目\r\n二行目\r\n");
  EXPECT_EQ(parsed.headers.at("from"), "<mamori@city.example.jp>");
  EXPECT_EQ(alerts::testing::decode_encoded_words(parsed.headers.at("subject")), "件名");
}

}  // namespace
}  // namespace mamori::alerts::channels
