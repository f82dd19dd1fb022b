// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) JSON Web Tokens, for LINE WORKS' service-account
// authentication. OpenSSL's libcrypto does the RSA (libsodium has none).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace mamori::alerts::channels {

class RsaPrivateKey {
 public:
  // PEM: PKCS#8 "BEGIN PRIVATE KEY" (what the LINE WORKS Developer Console issues) or PKCS#1
  // "BEGIN RSA PRIVATE KEY". Encrypted keys are refused (nothing may prompt for a passphrase
  // in a service). nullopt with `error` set when it is not an unencrypted RSA key of ≥2048 bits.
  static std::optional<RsaPrivateKey> from_pem(std::string_view pem, std::string& error);

  // The raw signature over `data`.
  std::string sign_sha256(std::string_view data) const;
  int bits() const;

 private:
  struct Key;
  std::shared_ptr<Key> key_;
};

// Base64url without padding (RFC 7515 §2).
std::string base64url(std::string_view bytes);

// header.claims.signature with header {"alg":"RS256","typ":"JWT"}.
std::string jwt_rs256(const RsaPrivateKey& key, std::string_view claims_json);

}  // namespace mamori::alerts::channels
