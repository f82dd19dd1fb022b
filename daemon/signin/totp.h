// Time-based one-time passwords (RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits), the optional
// second factor of special-ward.txt 5(4) and ube-city.txt 4(2). Pure functions; the time is
// passed in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::signin {

// RFC 4648 base32, upper case, without padding (what authenticator apps expect).
std::string base32_encode(const std::vector<unsigned char>& bytes);
// Accepts upper or lower case, spaces and '=' padding; nullopt when not base32.
std::optional<std::vector<unsigned char>> base32_decode(std::string_view text);

constexpr std::int64_t kTotpStepSeconds = 30;

// The time step containing `unix_seconds` (RFC 6238 T = floor((t - T0) / X), T0 = 0).
std::int64_t totp_step(std::int64_t unix_seconds);

// HOTP value (RFC 4226) for `step`, `digits` long, zero-padded.
std::string totp_code(const std::vector<unsigned char>& key, std::int64_t step, int digits = 6);

// The step (within ±`window` of now) whose code equals `code`, or nullopt. Every candidate is
// computed and compared in constant time. The caller must still refuse a step it has already
// accepted (no reuse).
std::optional<std::int64_t> match_totp(const std::vector<unsigned char>& key, std::string_view code,
                                       std::int64_t unix_seconds, int window = 1);

// A new random 160-bit secret (RFC 4226's recommended length).
std::vector<unsigned char> generate_totp_secret();

// otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30, the
// key-URI format authenticator apps read from a QR code.
std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        const std::vector<unsigned char>& secret);

}  // namespace mamori::signin
