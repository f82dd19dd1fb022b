// Signed one-click acknowledge links in alert messages. A token carries the incident, the
// escalation level, who was paged (the on-call person's name, recorded on the timeline when
// they acknowledge) and an expiry, signed with HMAC-SHA256 under `[alerts] link_secret`:
//
//   v1.<base64url(JSON claims)>.<base64url(HMAC-SHA256(secret, "v1." + claims part))>
//
// The token is a capability: whoever holds the message may acknowledge. It is short-lived and
// single-use (the route records used tokens), and acknowledging is a POST from a confirmation
// page, because mail scanners and chat unfurlers fetch every link they see.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <variant>

#include "daemon/config/config.h"

namespace mamori::alerts {

struct AckClaims {
  long long incident_id = 0;
  int level = 1;        // escalation level the message was sent at
  std::string person;   // on-call person's display name; empty for team-channel alerts
  std::string channel;  // the configured channel the link went out on
  std::chrono::sys_seconds expires{};
  // How often the incident had been reopened when the link went out: a link from an earlier
  // cycle (before the incident was resolved and reopened) cannot acknowledge the current one.
  long long cycle = 0;
  // The municipality (Municipality::id) of the incident when the link went out: the link works
  // within that municipality's scope only (daemon/store/municipality_scope.h). Empty in links
  // made before municipalities were signed: no scope.
  std::string municipality;
};

enum class AckTokenError {
  malformed,      // not a token of ours (truncated, not base64url, wrong fields)
  bad_signature,  // well-formed but not signed with our secret (forged or altered)
  expired,
};

using AckVerification = std::variant<AckClaims, AckTokenError>;

class AckLinkSigner {
 public:
  // `secret` at least 32 bytes (checked by the configuration loader); `public_url` is the
  // console's external base ([server] public_url), links are `<public_url>/ack/<token>`.
  AckLinkSigner(config::Secret secret, std::string public_url, std::chrono::seconds valid_for);

  std::string token(const AckClaims& claims) const;
  // Claims for a message sent at `now`: expiry now + valid_for.
  std::string url(long long incident_id, int level, const std::string& person,
                  const std::string& channel, std::chrono::sys_seconds now, long long cycle = 0,
                  const std::string& municipality = {}) const;
  // Signature first (constant-time compare), then expiry against `now`.
  AckVerification verify(std::string_view token, std::chrono::sys_seconds now) const;
  std::chrono::seconds valid_for() const { return valid_for_; }
  // The incident's page in the console, for the link pages.
  std::string incident_url(long long incident_id) const {
    return public_url_ + "/incidents/" + std::to_string(incident_id);
  }

  // A stable identifier of a token for the used-token record (hex SHA-256 of the token), so
  // the database never holds a usable link.
  static std::string token_id(std::string_view token);

  static constexpr std::size_t kMaxTokenLength = 2048;

 private:
  std::string mac(std::string_view signed_part) const;
  config::Secret secret_;
  std::string public_url_;
  std::chrono::seconds valid_for_;
};

// Japanese wording of a verification failure, for the error page.
std::string_view describe(AckTokenError error);

}  // namespace mamori::alerts
