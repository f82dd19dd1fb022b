#include "daemon/signin/password.h"

#include <sodium.h>

#include <array>
#include <cctype>
#include <stdexcept>
#include <vector>

#include "model/text.h"

namespace mamori::signin {
namespace {

// Bounded so that hashing cannot be turned into a denial of service with huge inputs.
constexpr std::size_t kMaxPasswordBytes = 1024;
constexpr std::size_t kMinPasswordChars = 10;

using model::ascii_lower;

// Undoes the usual character swaps (p@ssw0rd -> password) so that a dictionary word with a
// symbol and a digit bolted on is still recognised as guessable.
std::string unleet(std::string_view s) {
  std::string out = ascii_lower(s);
  for (char& c : out) {
    switch (c) {
      case '0':
        c = 'o';
        break;
      case '1':
      case '!':
      case '|':
        c = 'i';
        break;
      case '3':
        c = 'e';
        break;
      case '4':
      case '@':
        c = 'a';
        break;
      case '5':
      case '$':
        c = 's';
        break;
      case '7':
        c = 't';
        break;
      default:
        break;
    }
  }
  return out;
}

// Words that make a password "easily guessed" (special-ward.txt 5(2)) whatever is around them.
constexpr std::array<std::string_view, 14> kGuessable = {
    "password", "passwd",   "qwerty", "asdfgh", "letmein", "welcome", "admin",
    "mamori",   "iloveyou", "abcdef", "abc123", "123456",  "654321",  "111111"};

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

void wipe_string(std::string& secret) {
  if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
  secret.clear();
}

std::optional<std::string> password_policy_violation(std::string_view password,
                                                     std::string_view user_name) {
  if (password.size() > kMaxPasswordBytes) {
    return "パスワードが長すぎます（" + std::to_string(kMaxPasswordBytes) + " バイトまで）";
  }
  bool upper = false, lower = false, digit = false, symbol = false;
  for (const char ch : password) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) return std::string("パスワードに制御文字は使えません");
    if (c >= 'A' && c <= 'Z')
      upper = true;
    else if (c >= 'a' && c <= 'z')
      lower = true;
    else if (c >= '0' && c <= '9')
      digit = true;
    else if (c < 0x80 && c != ' ')
      symbol = true;
  }
  std::vector<std::string> missing;
  if (!upper) missing.emplace_back("英大文字");
  if (!lower) missing.emplace_back("英小文字");
  if (!digit) missing.emplace_back("数字");
  if (!symbol) missing.emplace_back("記号");
  const bool too_short = utf8_length(password) < kMinPasswordChars;
  if (too_short || !missing.empty()) {
    std::string m =
        "パスワードは 10 文字以上で、英大文字・英小文字・数字・記号をそれぞれ含めてください";
    std::string detail;
    if (too_short) detail = "現在 " + std::to_string(utf8_length(password)) + " 文字";
    if (!missing.empty()) {
      if (!detail.empty()) detail += "、";
      detail += "不足: ";
      for (std::size_t i = 0; i < missing.size(); ++i) detail += (i ? "・" : "") + missing[i];
    }
    return m + "（" + detail + "）";
  }
  const std::string folded = unleet(password);
  if (user_name.size() >= 3 &&
      ascii_lower(password).find(ascii_lower(user_name)) != std::string::npos) {
    return std::string("パスワードにユーザー名を含めないでください");
  }
  for (const std::string_view word : kGuessable) {
    if (folded.find(word) != std::string::npos) {
      return "推測されやすい語（" + std::string(word) + " など）を含むパスワードは使えません";
    }
  }
  return std::nullopt;
}

HashCost HashCost::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}
HashCost HashCost::minimum() {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

std::string hash_password(std::string_view password, HashCost cost) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.ops, cost.mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("password hashing ran out of memory");
  }
  return std::string(out);
}

bool verify_password(std::string_view password, const std::string& hash) {
  ensure_sodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(const std::string& hash, HashCost cost) {
  ensure_sodium();
  return crypto_pwhash_str_needs_rehash(hash.c_str(), cost.ops, cost.mem) != 0;
}

}  // namespace mamori::signin
