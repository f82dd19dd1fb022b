#include "tests/daemon/alerts/rsa_test_key.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <stdexcept>

#include "tests/daemon/alerts/smtp_sink.h"

namespace mamori::alerts::testing {

std::string generate_rsa_private_pem(int bits) {
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned>(bits));
  if (key == nullptr) throw std::runtime_error("EVP_RSA_gen failed");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

std::string base64url_decode(const std::string& text) {
  std::string b64 = text;
  for (auto& c : b64) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  return decode_base64(b64);
}

bool verify_jwt_rs256(const std::string& private_pem, const std::string& jwt) {
  const auto last = jwt.rfind('.');
  if (last == std::string::npos) return false;
  const std::string input = jwt.substr(0, last);
  const std::string sig = base64url_decode(jwt.substr(last + 1));
  BIO* bio = BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok;
}

}  // namespace mamori::alerts::testing
