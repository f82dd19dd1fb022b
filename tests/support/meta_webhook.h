// Delivering Meta webhooks to a running mamorid, as Meta does: the delivery body for Instagram
// @mentions and its X-Hub-Signature-256 keyed with the app secret (the daemon's own signer,
// daemon/webhooks/meta_signature.h). For tests that link the daemon (tests/daemon/...).
#pragma once

#include <optional>
#include <string>

#include "daemon/webhooks/meta_signature.h"
#include "tests/support/test_support.h"

namespace mamori::testing {

// {"object":"instagram","entry":[{"id":ACCOUNT,"time":…,"changes":[{"field":"mentions",
// "value":{"media_id":MEDIA[,"comment_id":COMMENT]}}]}]}, the shape Meta documents.
inline std::string mention_delivery(const std::string& ig_user_id, const std::string& media_id,
                                    const std::optional<std::string>& comment_id = std::nullopt) {
  std::string value = R"({"media_id":")" + media_id + "\"";
  if (comment_id) value += R"(,"comment_id":")" + *comment_id + "\"";
  return R"({"object":"instagram","entry":[{"id":")" + ig_user_id +
         R"(","time":1764979200,"changes":[{"field":"mentions","value":)" + value + "}}]}]}";
}

// POST /webhooks/meta signed with `app_secret` (or with `signature` as given, "" for none).
inline HttpResult deliver_meta_webhook(unsigned short port, const std::string& app_secret,
                                       const std::string& body,
                                       const std::optional<std::string>& signature = std::nullopt) {
  const std::string header = signature ? *signature : webhooks::signature_header(app_secret, body);
  std::vector<std::string> headers = {"Content-Type: application/json"};
  if (!header.empty()) headers.push_back("X-Hub-Signature-256: " + header);
  return http_request("POST", "127.0.0.1", port, "/webhooks/meta", headers, body);
}

}  // namespace mamori::testing
