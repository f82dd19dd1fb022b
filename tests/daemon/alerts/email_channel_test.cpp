// E-mail through libcurl's SMTP against a small SMTP sink on loopback: the Japanese subject
// and body decode back to the text, AUTH, STARTTLS required but not offered, SMTP reply
// classes (4xx retryable, 5xx not), a server that is down, and refused addresses.
#include "daemon/alerts/channels/email_channel.h"

#include <gtest/gtest.h>

#include <thread>

#include "daemon/alerts/channels/message_text.h"
#include "daemon/alerts/channels/mime_message.h"
#include "tests/daemon/alerts/channel_test_support.h"
#include "tests/daemon/alerts/http_receiver.h"
#include "tests/daemon/alerts/smtp_sink.h"

namespace mamori::alerts::channels {
namespace {

using namespace std::chrono_literals;
using alerts::testing::sample_message;
using alerts::testing::send_one;
using alerts::testing::SmtpSink;
using alerts::testing::SmtpSinkOptions;

// The mails' Date: 2025-04-01 03:12:00 JST.
const collectors::ManualClock mail_clock(model::TimePoint(std::chrono::seconds(1743444720)));

EmailChannelOptions relay(const std::string& url) {
  EmailChannelOptions o;
  o.name = "mail";
  o.url = url;
  o.tls = SmtpTls::none;  // a local relay
  o.from_address = "mamori@city.example.jp";
  o.from_name = "mamori 監視";
  o.default_to = {"kouhou@city.example.jp"};
  o.timeout = 10s;
  o.connect_timeout = 5s;
  return o;
}

TEST(EmailChannel, DeliversJapaneseSubjectAndBodyThroughALocalRelay) {
  SmtpSink sink;
  boost::asio::io_context io;
  EmailChannel mail(io, relay(sink.url()), mail_clock);
  AlertMessage m = sample_message();
  m.recipient_address = "sato@city.example.jp";
  const DeliveryResult r = send_one(io, mail, m);
  ASSERT_TRUE(r.delivered) << r.detail;
  EXPECT_EQ(r.status, 250);

  const auto mails = sink.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].mail_from, "mamori@city.example.jp");
  EXPECT_EQ(mails[0].rcpt_to, (std::vector<std::string>{"sato@city.example.jp"}));
  const auto parsed = alerts::testing::parse_mail(mails[0].data);
  const auto& h = parsed.headers;
  EXPECT_EQ(alerts::testing::decode_encoded_words(h.at("subject")), headline(m));
  EXPECT_EQ(
      alerts::testing::decode_encoded_words(h.at("subject")).rfind("【緊急】成りすましの疑い", 0),
      0u);
  EXPECT_EQ(alerts::testing::decode_encoded_words(h.at("from")),
            "mamori 監視 <mamori@city.example.jp>");
  EXPECT_EQ(h.at("to"), "sato@city.example.jp");
  EXPECT_EQ(h.at("content-type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(h.at("content-transfer-encoding"), "base64");
  EXPECT_EQ(h.at("mime-version"), "1.0");
  EXPECT_EQ(h.at("date"), "Tue, 01 Apr 2025 03:12:00 +0900");
  EXPECT_EQ(h.at("message-id"), "<mamori.alert-7-trigger@city.example.jp>");
  EXPECT_EQ(h.at("references"), "<mamori.incident-42@city.example.jp>");
  EXPECT_EQ(h.at("auto-submitted"), "auto-generated");
  const std::string body = alerts::testing::decode_base64(parsed.body);
  EXPECT_NE(body.find("相馬市の公式SNSアカウントでインシデントが発生しました。\r\n"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("重大度: 緊急\r\n"), std::string::npos) << body;
  EXPECT_NE(body.find("最初の対応: プラットフォームへ削除 (凍結) を申請する"), std::string::npos);
  EXPECT_NE(body.find("インシデントを開く: https://mamori.city.example.jp/incidents/42"),
            std::string::npos);
  EXPECT_NE(body.find("確認した (ワンクリック): https://mamori.city.example.jp/ack/42?sig=abc"),
            std::string::npos);
  for (std::size_t pos = 0; pos < mails[0].data.size();) {
    const auto end = mails[0].data.find("\r\n", pos);
    EXPECT_LE(end - pos, 78u) << "line too long at " << pos;
    pos = end + 2;
  }

  // A resend of the same alert carries the same Message-ID; no recipient: the default list.
  m.recipient_address.clear();
  ASSERT_TRUE(send_one(io, mail, m).delivered);
  const auto again = sink.mails();
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[1].rcpt_to, (std::vector<std::string>{"kouhou@city.example.jp"}));
  EXPECT_EQ(alerts::testing::parse_mail(again[1].data).headers.at("message-id"),
            h.at("message-id"));
}

TEST(EmailChannel, AuthenticatesAndRejectsWrongCredentialsWithoutRetry) {
  SmtpSinkOptions so;
  so.user = "mamori";
  so.password = "p@ss word";
  SmtpSink sink(so);
  boost::asio::io_context io;
  EmailChannelOptions o = relay(sink.url());
  o.username = "mamori";
  o.password = config::Secret("p@ss word");
  {
    EmailChannel mail(io, o, mail_clock);
    const DeliveryResult r = send_one(io, mail, sample_message());
    ASSERT_TRUE(r.delivered) << r.detail;
    ASSERT_EQ(sink.mails().size(), 1u);
    EXPECT_EQ(sink.mails()[0].auth_user, "mamori");
  }
  o.password = config::Secret("wrong");
  EmailChannel mail(io, o, mail_clock);
  const DeliveryResult r = send_one(io, mail, sample_message());
  EXPECT_FALSE(r.delivered);
  EXPECT_FALSE(r.retryable) << r.detail;
  EXPECT_NE(r.detail.find("認証に失敗"), std::string::npos) << r.detail;
  EXPECT_EQ(r.detail.find("wrong"), std::string::npos);
  EXPECT_EQ(sink.mails().size(), 1u);
}

TEST(EmailChannel, StarttlsRequiredButNotOfferedFailsClearlyBeforeSendingAnything) {
  SmtpSink sink;  // offers no STARTTLS
  boost::asio::io_context io;
  EmailChannelOptions o = relay(sink.url());
  o.tls = SmtpTls::starttls;
  EmailChannel mail(io, o, mail_clock);
  const DeliveryResult r = send_one(io, mail, sample_message());
  EXPECT_FALSE(r.delivered);
  EXPECT_FALSE(r.retryable) << r.detail;
  EXPECT_NE(r.detail.find("STARTTLS"), std::string::npos) << r.detail;
  EXPECT_TRUE(sink.mails().empty());
  for (const auto& c : sink.commands()) {
    EXPECT_NE(c.rfind("MAIL", 0), 0u) << "nothing may be sent in clear text: " << c;
  }
}

TEST(EmailChannel, SmtpReplyClassesDecideRetrying) {
  {
    SmtpSinkOptions so;
    so.rcpt_reply = "550 5.1.1 no such user";
    SmtpSink sink(so);
    boost::asio::io_context io;
    EmailChannel mail(io, relay(sink.url()), mail_clock);
    const DeliveryResult r = send_one(io, mail, sample_message());
    EXPECT_FALSE(r.delivered);
    EXPECT_FALSE(r.retryable) << r.detail;
    EXPECT_EQ(r.status, 550);
  }
  {
    SmtpSinkOptions so;
    so.rcpt_reply = "451 4.3.0 try again later";
    SmtpSink sink(so);
    boost::asio::io_context io;
    EmailChannel mail(io, relay(sink.url()), mail_clock);
    const DeliveryResult r = send_one(io, mail, sample_message());
    EXPECT_FALSE(r.delivered);
    EXPECT_TRUE(r.retryable) << r.detail;
    EXPECT_EQ(r.status, 451);
  }
  {
    SmtpSinkOptions so;
    so.data_reply = "452 4.3.1 insufficient storage";
    SmtpSink sink(so);
    boost::asio::io_context io;
    EmailChannel mail(io, relay(sink.url()), mail_clock);
    const DeliveryResult r = send_one(io, mail, sample_message());
    EXPECT_TRUE(r.retryable) << r.detail;
    EXPECT_EQ(r.status, 452);
  }
}

TEST(EmailChannel, AServerThatIsDownIsRetryable) {
  boost::asio::io_context io;
  EmailChannel mail(io, relay("smtp://127.0.0.1:" + std::to_string(alerts::testing::closed_port())),
                    mail_clock);
  const DeliveryResult r = send_one(io, mail, sample_message());
  EXPECT_FALSE(r.delivered);
  EXPECT_TRUE(r.retryable) << r.detail;
  EXPECT_NE(r.detail.find("smtp://127.0.0.1"), std::string::npos) << r.detail;
}

TEST(EmailChannel, RefusesInjectedAddressesAndBadConfiguration) {
  SmtpSink sink;
  boost::asio::io_context io;
  EmailChannel mail(io, relay(sink.url()), mail_clock);
  AlertMessage m = sample_message();
  m.recipient_address = "a@city.example.jp>\r\nRCPT TO:<evil@example.com";
  const DeliveryResult r = send_one(io, mail, m);
  EXPECT_FALSE(r.delivered);
  EXPECT_FALSE(r.retryable);
  EXPECT_TRUE(sink.commands().empty()) << "refused before connecting";
  EXPECT_THROW(EmailChannel(io, relay("http://127.0.0.1:25"), mail_clock), std::invalid_argument);
  EXPECT_THROW(EmailChannel(io, relay("smtp://user:pw@127.0.0.1:25"), mail_clock),
               std::invalid_argument);
}

TEST(EmailChannel, StoppingCompletesQueuedSendsAsRetryable) {
  boost::asio::io_context io;
  std::vector<DeliveryResult> results;
  std::chrono::steady_clock::time_point stop_started;
  {
    // A server that accepts the connection and never greets: the transfer would wait for its
    // timeout (10 s) if stopping did not abort it.
    alerts::testing::HttpReceiver silent;
    EmailChannelOptions o = relay("smtp://127.0.0.1:" + std::to_string(silent.port()));
    o.workers = 1;
    EmailChannel mail(io, o, mail_clock);
    for (int i = 0; i < 3; ++i)
      mail.send(sample_message(), [&](DeliveryResult r) { results.push_back(r); });
    std::this_thread::sleep_for(300ms);  // the worker is inside the first transfer by now
    stop_started = std::chrono::steady_clock::now();
  }  // the channel stops: the transfer in progress is aborted, the queued ones fail at once
  EXPECT_LT(std::chrono::steady_clock::now() - stop_started, 8s)
      << "stopping must abort the transfer, not wait for its 10 s timeout";
  alerts::testing::run_until(io, results, 3);
  for (const auto& r : results) {
    EXPECT_FALSE(r.delivered);
    EXPECT_TRUE(r.retryable) << r.detail;
  }
  int aborted = 0;
  int not_started = 0;
  for (const auto& r : results) {
    aborted += r.detail.find("中断") != std::string::npos;
    not_started += r.detail.find("送信しませんでした") != std::string::npos;
  }
  EXPECT_EQ(aborted, 1);
  EXPECT_EQ(not_started, 2);
}

}  // namespace
}  // namespace mamori::alerts::channels
