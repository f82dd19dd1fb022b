// TOTP secrets at rest: console_users.totp_secret holds each user's secret encrypted with a key
// from the credentials ([console] totp_key = "file:totp_key"), so a copy of the database or a
// backup alone signs nobody in. XChaCha20-Poly1305 (libsodium) under a key derived from the
// credential with BLAKE2b, a random nonce per secret, and the user name as associated data (a
// sealed secret copied to another user's row does not open). Stored as "enc1:" + base64url of
// nonce and ciphertext. A row written before the key was configured holds the base32 secret as
// is; seal_plain_totp_secrets() encrypts such rows (mamorid does it at start-up).
#pragma once

#include <array>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>

#include "daemon/config/config.h"

namespace mamori::signin {

class TotpVault {
 public:
  TotpVault() = default;  // no key: secrets are stored and read as plain base32
  explicit TotpVault(const config::Secret& key);
  ~TotpVault();
  TotpVault(const TotpVault&) = default;
  TotpVault& operator=(const TotpVault&) = default;

  bool has_key() const { return has_key_; }
  static bool is_sealed(std::string_view stored);

  // The text to store for `base32_secret` of `user_name`: sealed with a key, else as is.
  std::string seal(std::string_view user_name, std::string_view base32_secret) const;
  // The base32 secret from stored text; nullopt when it is sealed and cannot be opened (no key,
  // another key, another user's row, altered).
  std::optional<std::string> open(std::string_view user_name, std::string_view stored) const;

 private:
  bool has_key_ = false;
  std::array<unsigned char, 32> key_{};
};

// Seals every plain TOTP secret in console_users (one transaction); returns how many.
int seal_plain_totp_secrets(pqxx::connection& c, const TotpVault& vault);

}  // namespace mamori::signin
