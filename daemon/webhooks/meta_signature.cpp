#include "daemon/webhooks/meta_signature.h"

#include <sodium.h>

#include <array>
#include <stdexcept>

namespace mamori::webhooks {
namespace {

using Mac = std::array<unsigned char, crypto_auth_hmacsha256_BYTES>;

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

// crypto_auth_hmacsha256() takes a 32-byte key; an app secret has any length, so the
// init/update/final form (RFC 2104 key handling) is used.
Mac hmac(std::string_view key, std::string_view body) {
  ensure_sodium();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  Mac mac{};
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);
  return mac;
}

}  // namespace

bool signature_matches(std::string_view app_secret, std::string_view body,
                       std::string_view header) {
  constexpr std::string_view kPrefix = "sha256=";
  if (app_secret.empty()) return false;
  if (header.size() != kPrefix.size() + 2 * crypto_auth_hmacsha256_BYTES) return false;
  if (header.substr(0, kPrefix.size()) != kPrefix) return false;
  const std::string_view hex = header.substr(kPrefix.size());
  ensure_sodium();
  Mac given{};
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(given.data(), given.size(), hex.data(), hex.size(), nullptr, &length, &end) !=
          0 ||
      length != given.size() || end != hex.data() + hex.size()) {
    return false;
  }
  const Mac expected = hmac(app_secret, body);
  return sodium_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

std::string signature_header(std::string_view app_secret, std::string_view body) {
  const Mac mac = hmac(app_secret, body);
  std::array<char, 2 * crypto_auth_hmacsha256_BYTES + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
  return "sha256=" + std::string(hex.data());
}

bool verify_token_matches(std::string_view expected, std::string_view given) {
  if (expected.empty()) return false;
  ensure_sodium();
  // Equal-length digests of both, compared in constant time: the length of the configured
  // token does not show either.
  std::array<unsigned char, crypto_generichash_BYTES> a{};
  std::array<unsigned char, crypto_generichash_BYTES> b{};
  crypto_generichash(a.data(), a.size(), reinterpret_cast<const unsigned char*>(expected.data()),
                     expected.size(), nullptr, 0);
  crypto_generichash(b.data(), b.size(), reinterpret_cast<const unsigned char*>(given.data()),
                     given.size(), nullptr, 0);
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace mamori::webhooks
