#include "daemon/api/auth.h"

#include <sodium.h>

namespace mamori::api {

std::optional<Role> role_from_string(std::string_view s) {
  if (s == "viewer") return Role::viewer;
  if (s == "responder") return Role::responder;
  if (s == "admin") return Role::admin;
  return std::nullopt;
}

bool Principal::may_see(std::string_view municipality) const {
  if (sees_all()) return true;
  for (const std::string& m : municipalities) {
    if (m == municipality) return true;
  }
  return false;
}

std::string Principal::scope_setting() const {
  if (sees_all()) return "*";
  std::string out;
  for (const std::string& m : municipalities) out += (out.empty() ? "" : ",") + m;
  return out;
}

TokenAuthenticator::TokenAuthenticator(const std::vector<config::ApiToken>& tokens) {
  for (const auto& t : tokens) {
    entries_.push_back(
        {Principal{t.name, role_from_string(t.role).value_or(Role::viewer), t.municipalities},
         t.token.value.reveal()});
  }
}

std::optional<Principal> TokenAuthenticator::authenticate(const http::Request& request) const {
  const auto header = request[http::beast_http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.substr(0, kBearer.size()) != kBearer)
    return std::nullopt;
  const std::string_view presented = header.substr(kBearer.size());
  std::optional<Principal> found;
  for (const Entry& e : entries_) {
    // Compare every entry, in constant time for equal lengths, so timing tells nothing.
    if (e.token.size() == presented.size() &&
        sodium_memcmp(e.token.data(), presented.data(), presented.size()) == 0) {
      found = e.principal;
    }
  }
  return found;
}

std::optional<Principal> AuthChain::authenticate(const http::Request& request) const {
  for (const auto& a : chain_) {
    if (auto p = a->authenticate(request)) return p;
  }
  return std::nullopt;
}

}  // namespace mamori::api
