// A fresh RSA key for the LINE WORKS tests (generated, never checked in), and RS256
// verification the way LINE WORKS' auth server would do it.
#pragma once

#include <string>

namespace mamori::alerts::testing {

std::string generate_rsa_private_pem(int bits = 2048);
// Verifies header.claims.signature against the private key's public half.
bool verify_jwt_rs256(const std::string& private_pem, const std::string& jwt);
// Base64url (no padding) decode.
std::string base64url_decode(const std::string& text);

}  // namespace mamori::alerts::testing
