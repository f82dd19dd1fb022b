// Who is calling the API, and what they may do. Roles: viewer (read), responder (work
// incidents), admin (users and settings). The console's session sign-in plugs in here as a
// second Authenticator; API clients use bearer tokens from the configuration.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/config/config.h"
#include "daemon/http/router.h"

namespace mamori::api {

enum class Role { viewer = 1, responder = 2, admin = 3 };

std::optional<Role> role_from_string(std::string_view s);

struct Principal {
  std::string name;  // the actor recorded in timelines
  Role role = Role::viewer;
  // The municipalities (config::Municipality::id) the caller works for; empty: all of them.
  std::vector<std::string> municipalities;

  bool sees_all() const { return municipalities.empty(); }
  bool may_see(std::string_view municipality) const;
  // The value of the database setting `mamori.scope` (deploy/sql/055_municipalities.sql):
  // "*" for all municipalities, else their ids joined with ','.
  std::string scope_setting() const;
};

// Thrown by authenticate() when it recognises the caller but refuses this request (a session
// request changing something without its CSRF token): guarded() answers 403 with the message
// instead of 401.
class AccessRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual std::optional<Principal> authenticate(const http::Request& request) const = 0;
};

// `Authorization: Bearer <token>` against the configured [[api_tokens]] (constant-time compare).
class TokenAuthenticator : public Authenticator {
 public:
  explicit TokenAuthenticator(const std::vector<config::ApiToken>& tokens);
  std::optional<Principal> authenticate(const http::Request& request) const override;

 private:
  struct Entry {
    Principal principal;
    std::string token;
  };
  std::vector<Entry> entries_;
};

// Tries each authenticator in turn.
class AuthChain : public Authenticator {
 public:
  void add(std::shared_ptr<const Authenticator> a) { chain_.push_back(std::move(a)); }
  std::optional<Principal> authenticate(const http::Request& request) const override;

 private:
  std::vector<std::shared_ptr<const Authenticator>> chain_;
};

// Lets a configuration reload replace the token list while routes keep their reference.
// Used from the event loop's thread only.
class SwappableAuthenticator : public Authenticator {
 public:
  void set(std::shared_ptr<const Authenticator> inner) { inner_ = std::move(inner); }
  std::optional<Principal> authenticate(const http::Request& request) const override {
    return inner_ ? inner_->authenticate(request) : std::nullopt;
  }

 private:
  std::shared_ptr<const Authenticator> inner_;
};

}  // namespace mamori::api
