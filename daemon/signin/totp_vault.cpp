#include "daemon/signin/totp_vault.h"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace mamori::signin {
namespace {

constexpr std::string_view kPrefix = "enc1:";
constexpr std::string_view kContext = "mamori console totp secret v1";

std::string base64url(const unsigned char* data, std::size_t size) {
  std::string out(sodium_base64_encoded_len(size, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::optional<std::vector<unsigned char>> unbase64url(std::string_view text) {
  std::vector<unsigned char> out(text.size());
  std::size_t length = 0;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

}  // namespace

TotpVault::TotpVault(const config::Secret& key) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  const std::string& material = key.reveal();
  // The credential may be any text (e.g. `openssl rand -hex 32`); the key is derived from it.
  crypto_generichash(key_.data(), key_.size(),
                     reinterpret_cast<const unsigned char*>(material.data()), material.size(),
                     reinterpret_cast<const unsigned char*>(kContext.data()), kContext.size());
  has_key_ = true;
}

TotpVault::~TotpVault() {
  sodium_memzero(key_.data(), key_.size());
}

bool TotpVault::is_sealed(std::string_view stored) {
  return stored.substr(0, kPrefix.size()) == kPrefix;
}

std::string TotpVault::seal(std::string_view user_name, std::string_view base32_secret) const {
  if (!has_key_) return std::string(base32_secret);
  constexpr std::size_t nonce_size = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::vector<unsigned char> box(nonce_size + base32_secret.size() +
                                 crypto_aead_xchacha20poly1305_ietf_ABYTES);
  randombytes_buf(box.data(), nonce_size);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      box.data() + nonce_size, &written,
      reinterpret_cast<const unsigned char*>(base32_secret.data()), base32_secret.size(),
      reinterpret_cast<const unsigned char*>(user_name.data()), user_name.size(), nullptr,
      box.data(), key_.data());
  return std::string(kPrefix) + base64url(box.data(), nonce_size + written);
}

std::optional<std::string> TotpVault::open(std::string_view user_name,
                                           std::string_view stored) const {
  if (!is_sealed(stored)) return std::string(stored);
  if (!has_key_) return std::nullopt;
  const auto box = unbase64url(stored.substr(kPrefix.size()));
  constexpr std::size_t nonce_size = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (!box || box->size() < nonce_size + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return std::nullopt;
  }
  std::string plain(box->size() - nonce_size - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &length, nullptr,
          box->data() + nonce_size, box->size() - nonce_size,
          reinterpret_cast<const unsigned char*>(user_name.data()), user_name.size(), box->data(),
          key_.data()) != 0) {
    return std::nullopt;
  }
  plain.resize(length);
  return plain;
}

int seal_plain_totp_secrets(pqxx::connection& c, const TotpVault& vault) {
  if (!vault.has_key()) return 0;
  pqxx::work tx(c);
  const auto rows = tx.exec(
      "SELECT id, name, totp_secret FROM console_users"
      " WHERE totp_secret IS NOT NULL AND totp_secret NOT LIKE 'enc1:%' FOR UPDATE");
  for (const auto& row : rows) {
    tx.exec_params("UPDATE console_users SET totp_secret = $2 WHERE id = $1",
                   row[0].as<long long>(),
                   vault.seal(row[1].as<std::string>(), row[2].as<std::string>()));
  }
  tx.commit();
  return static_cast<int>(rows.size());
}

}  // namespace mamori::signin
