#include "daemon/alerts/channels/jwt_rs256.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace mamori::alerts::channels {

struct RsaPrivateKey::Key {
  EVP_PKEY* pkey = nullptr;
  Key() = default;
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

// Refuses to supply a passphrase instead of OpenSSL's default of prompting on the terminal.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

}  // namespace

std::optional<RsaPrivateKey> RsaPrivateKey::from_pem(std::string_view pem, std::string& error) {
  ERR_clear_error();
  if (pem.find("ENCRYPTED") != std::string_view::npos) {
    error = "the private key is encrypted; store it unencrypted with restricted file permissions";
    return std::nullopt;
  }
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) {
    error = "out of memory";
    return std::nullopt;
  }
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, no_passphrase, nullptr);
  BIO_free(bio);
  if (pkey == nullptr) {
    error = "not a PEM private key (" + openssl_error() + ")";
    return std::nullopt;
  }
  RsaPrivateKey key;
  key.key_ = std::make_shared<Key>();
  key.key_->pkey = pkey;
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
    error = "not an RSA key (RS256 needs RSA)";
    return std::nullopt;
  }
  if (EVP_PKEY_get_bits(pkey) < 2048) {
    error = "RSA key shorter than 2048 bits";
    return std::nullopt;
  }
  return key;
}

int RsaPrivateKey::bits() const {
  return key_ ? EVP_PKEY_get_bits(key_->pkey) : 0;
}

std::string RsaPrivateKey::sign_sha256(std::string_view data) const {
  if (!key_) throw std::logic_error("RsaPrivateKey: no key");
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) throw std::runtime_error("EVP_MD_CTX_new failed");
  std::size_t len = 0;
  std::string sig;
  bool ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_->pkey) == 1 &&
            EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                           data.size()) == 1;
  if (ok) {
    sig.resize(len);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                        reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("RSA signing failed: " + openssl_error());
  return sig;
}

std::string base64url(std::string_view bytes) {
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::vector<char> out(sodium_base64_encoded_len(bytes.size(), variant));
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  return std::string(out.data());
}

std::string jwt_rs256(const RsaPrivateKey& key, std::string_view claims_json) {
  const std::string signing_input =
      base64url(R"({"alg":"RS256","typ":"JWT"})") + "." + base64url(claims_json);
  return signing_input + "." + base64url(key.sign_sha256(signing_input));
}

}  // namespace mamori::alerts::channels
