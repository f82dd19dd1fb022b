// Signed acknowledge links (/ack/<token>) arrive from anyone who can reach mamorid's public URL.
// Two ways in: any string as a token (forgeries must be refused without crashing), and any bytes
// as the claims of a correctly signed token (the claims reader runs only after the signature
// check, so it is reached here by signing the fuzzer's bytes with the secret the harness holds).
// A token that verifies must round-trip: signing its claims again gives the same claims.
#include <sodium.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <variant>

#include "daemon/alerts/ack_link.h"

namespace {

const std::string kSecret = "fuzz-link-secret-0123456789abcdef0123456789";

std::string base64url(const std::string& bytes) {
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(out.find('\0') == std::string::npos ? out.size() : out.find('\0'));
  return out;
}

std::string signed_token(const std::string& claims) {
  const std::string part = "v1." + base64url(claims);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(kSecret.data()),
                              kSecret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(part.data()),
                                part.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return part + "." + base64url(std::string(reinterpret_cast<const char*>(mac), sizeof mac));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool ready = sodium_init() >= 0;
  if (!ready || size == 0) return 0;
  static const mamori::alerts::AckLinkSigner signer(
      mamori::config::Secret(kSecret), "https://mamori.example/", std::chrono::hours(24));
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto now = std::chrono::sys_seconds(std::chrono::seconds(1700000000));
  const std::string token = data[0] % 2 == 0 ? rest : signed_token(rest);
  const auto result = signer.verify(token, now);
  if (const auto* claims = std::get_if<mamori::alerts::AckClaims>(&result)) {
    const auto again = signer.verify(signer.token(*claims), now);
    const auto* same = std::get_if<mamori::alerts::AckClaims>(&again);
    if (same == nullptr || same->incident_id != claims->incident_id ||
        same->level != claims->level || same->person != claims->person ||
        same->channel != claims->channel || same->expires != claims->expires) {
      std::abort();
    }
  }
  return 0;
}
