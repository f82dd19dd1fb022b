// Console passwords: the policy of special-ward.txt 5(2) and argon2id hashing (libsodium's
// crypto_pwhash_str, whose output carries its own salt and cost parameters).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mamori::signin {

// special-ward.txt 5(2): at least 10 characters using upper- and lower-case letters, digits and
// symbols, and not an easily guessed combination. Returns the reason in Japanese (for staff),
// or nullopt when the password is acceptable. `user_name` may be empty.
std::optional<std::string> password_policy_violation(std::string_view password,
                                                     std::string_view user_name);

// argon2id cost. `interactive` is libsodium's recommendation for online logins; tests may use
// `minimum` (still argon2id, just cheap) to stay fast.
struct HashCost {
  unsigned long long ops;
  std::size_t mem;
  static HashCost interactive();
  static HashCost minimum();
};

// The crypto_pwhash_str string (argon2id). Throws std::runtime_error when out of memory.
std::string hash_password(std::string_view password, HashCost cost = HashCost::interactive());
// True when `password` matches `hash`. A malformed hash is simply no match.
bool verify_password(std::string_view password, const std::string& hash);
// True when `hash` was made with other parameters than `cost` (or another algorithm).
bool password_needs_rehash(const std::string& hash, HashCost cost = HashCost::interactive());

// Overwrites a string holding a secret (sodium_memzero, which the optimiser keeps) and clears it.
void wipe_string(std::string& secret);

// libsodium must be initialised once before use; safe to call many times and from any thread.
void ensure_sodium();

}  // namespace mamori::signin
