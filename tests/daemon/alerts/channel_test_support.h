// Shared by the channel tests: a sample alert in Japanese (with hostile text where a platform
// controls it) and a loop runner that waits for completions.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <vector>

#include "daemon/alerts/channel.h"

namespace mamori::alerts::testing {

inline AlertMessage sample_message() {
  AlertMessage m;
  m.alert_id = 7;
  m.idempotency_key = "alert-7-trigger";
  m.kind = AlertKind::trigger;
  m.incident_id = 42;
  m.incident_type = "impersonation";
  m.incident_type_label = "成りすまし";
  m.severity = "critical";
  m.severity_label = "緊急";
  // The handle and display name come from the platform: an attacker chooses them.
  m.title = "成りすましの疑い: @soma__city <!channel> [公式](http://evil.example) (X)";
  m.summary = "表示名が公式と一致し、ハンドルが類似しています (soma__city ≈ soma_city)。";
  m.first_step = "プラットフォームへ削除 (凍結) を申請する";
  m.incident_url = "https://mamori.city.example.jp/incidents/42";
  m.acknowledge_url = "https://mamori.city.example.jp/ack/42?sig=abc";
  m.escalation_level = 1;
  m.recipient_name = "佐藤 花子";
  m.municipality = "相馬市";
  m.occurred_at = "2025-04-01T03:12:00+09:00";
  return m;
}

// Runs the loop until `results` holds `n` entries or 30 s pass (which fails the test).
inline void run_until(boost::asio::io_context& io, const std::vector<DeliveryResult>& results,
                      std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (results.size() < n && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(10));
    if (io.stopped()) io.restart();
  }
  ASSERT_EQ(results.size(), n) << "completions missing";
}

// Sends one message and waits for its result.
inline DeliveryResult send_one(boost::asio::io_context& io, AlertChannel& channel,
                               const AlertMessage& message) {
  std::vector<DeliveryResult> results;
  channel.send(message, [&](DeliveryResult r) { results.push_back(std::move(r)); });
  EXPECT_TRUE(results.empty()) << "done must not run inside send()";
  run_until(io, results, 1);
  return results.empty() ? DeliveryResult{} : results.front();
}

}  // namespace mamori::alerts::testing
