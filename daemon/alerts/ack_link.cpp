#include "daemon/alerts/ack_link.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <optional>

namespace mamori::alerts {
namespace {

constexpr std::string_view kVersion = "v1";

std::string base64url(const unsigned char* data, std::size_t size) {
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(size, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, variant);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::optional<std::string> unbase64url(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

const boost::json::value* member(const boost::json::object& o, std::string_view key) {
  return o.if_contains(key);
}

std::optional<AckClaims> parse_claims(std::string_view json_text) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(json_text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  const auto* i = member(o, "i");
  const auto* l = member(o, "l");
  const auto* p = member(o, "p");
  const auto* c = member(o, "c");
  const auto* e = member(o, "e");
  if (i == nullptr || !i->is_int64() || i->as_int64() <= 0) return std::nullopt;
  if (l == nullptr || !l->is_int64() || l->as_int64() < 1 || l->as_int64() > 100)
    return std::nullopt;
  if (p == nullptr || !p->is_string() || c == nullptr || !c->is_string()) return std::nullopt;
  if (e == nullptr || !e->is_int64()) return std::nullopt;
  AckClaims claims;
  claims.incident_id = i->as_int64();
  claims.level = static_cast<int>(l->as_int64());
  claims.person = std::string(p->as_string());
  claims.channel = std::string(c->as_string());
  claims.expires = std::chrono::sys_seconds(std::chrono::seconds(e->as_int64()));
  // Absent in links made before cycles were signed: those belong to the first cycle.
  if (const auto* y = member(o, "y")) {
    if (!y->is_int64() || y->as_int64() < 0) return std::nullopt;
    claims.cycle = y->as_int64();
  }
  if (const auto* m = member(o, "m")) {
    if (!m->is_string()) return std::nullopt;
    claims.municipality = std::string(m->as_string());
  }
  return claims;
}

}  // namespace

AckLinkSigner::AckLinkSigner(config::Secret secret, std::string public_url,
                             std::chrono::seconds valid_for)
    : secret_(std::move(secret)), public_url_(std::move(public_url)), valid_for_(valid_for) {
  while (!public_url_.empty() && public_url_.back() == '/') public_url_.pop_back();
}

std::string AckLinkSigner::mac(std::string_view signed_part) const {
  const std::string& key = secret_.reveal();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(signed_part.data()),
                                signed_part.size());
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, out);
  sodium_memzero(&state, sizeof state);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

std::string AckLinkSigner::token(const AckClaims& claims) const {
  boost::json::object o{{"i", claims.incident_id},
                        {"l", claims.level},
                        {"p", claims.person},
                        {"c", claims.channel},
                        {"e", claims.expires.time_since_epoch().count()},
                        {"y", claims.cycle}};
  if (!claims.municipality.empty()) o["m"] = claims.municipality;
  const std::string json = boost::json::serialize(o);
  const std::string signed_part =
      std::string(kVersion) + "." +
      base64url(reinterpret_cast<const unsigned char*>(json.data()), json.size());
  const std::string m = mac(signed_part);
  return signed_part + "." + base64url(reinterpret_cast<const unsigned char*>(m.data()), m.size());
}

std::string AckLinkSigner::url(long long incident_id, int level, const std::string& person,
                               const std::string& channel, std::chrono::sys_seconds now,
                               long long cycle, const std::string& municipality) const {
  AckClaims claims;
  claims.cycle = cycle;
  claims.municipality = municipality;
  claims.incident_id = incident_id;
  claims.level = level;
  claims.person = person;
  claims.channel = channel;
  claims.expires = now + valid_for_;
  return public_url_ + "/ack/" + token(claims);
}

AckVerification AckLinkSigner::verify(std::string_view token, std::chrono::sys_seconds now) const {
  if (token.empty() || token.size() > kMaxTokenLength) return AckTokenError::malformed;
  const auto first = token.find('.');
  const auto last = token.rfind('.');
  if (first == std::string_view::npos || first == last) return AckTokenError::malformed;
  if (token.substr(0, first) != kVersion) return AckTokenError::malformed;
  const std::string_view signed_part = token.substr(0, last);
  const auto signature = unbase64url(token.substr(last + 1));
  const auto payload = unbase64url(token.substr(first + 1, last - first - 1));
  if (!signature || !payload || signature->size() != crypto_auth_hmacsha256_BYTES) {
    return AckTokenError::malformed;
  }
  // The signature is checked before the claims are read: nothing of a forged token is trusted.
  const std::string expected = mac(signed_part);
  if (sodium_memcmp(expected.data(), signature->data(), expected.size()) != 0) {
    return AckTokenError::bad_signature;
  }
  auto claims = parse_claims(*payload);
  if (!claims) return AckTokenError::malformed;
  if (now >= claims->expires) return AckTokenError::expired;
  return *claims;
}

std::string AckLinkSigner::token_id(std::string_view token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(sizeof digest * 2);
  for (unsigned char b : digest) {
    out += hex[b >> 4];
    out += hex[b & 0xF];
  }
  return out;
}

std::string_view describe(AckTokenError error) {
  switch (error) {
    case AckTokenError::malformed:
      return "リンクの形式が正しくありません。通知メッセージのリンクが途中で切れていないか確認して"
             "ください。";
    case AckTokenError::bad_signature:
      return "このリンクは mamori が発行したものではないか、書き換えられています。";
    case AckTokenError::expired:
      return "このリンクは有効期限が切れています。";
  }
  return "リンクを確認できませんでした。";
}

}  // namespace mamori::alerts
