// Reading TOML configuration with diagnostics a person can act on: every problem names the
// file, line, column and dotted key, and says what was expected. Used by the main
// configuration ([server], [database], ...) and by [alerts]; unknown keys (usually typos) are
// reported instead of silently ignored.
#pragma once

#include <toml++/toml.h>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config/config.h"

namespace mamori::config {

// "a string", "an integer", ... for messages.
std::string describe_type(const toml::node& node);

// Collects the diagnostics of one file and resolves credential references.
class TomlReader {
 public:
  TomlReader(std::string file, const CredentialSource& credentials)
      : file_(std::move(file)), credentials_(credentials) {}

  void error(const toml::node* node, const std::string& key, const std::string& message);
  std::vector<Diagnostic>& errors() { return errors_; }
  const std::string& file() const { return file_; }
  const CredentialSource& credentials() const { return credentials_; }

 private:
  std::string file_;
  const CredentialSource& credentials_;
  std::vector<Diagnostic> errors_;
};

// A view on one TOML table that records which keys were read (see finish()). The typed
// readers return false when the key is absent or wrong (and record the diagnostic then).
class TomlTable {
 public:
  TomlTable(TomlReader& reader, const toml::table& table, std::string path)
      : r_(reader), t_(table), path_(std::move(path)) {}

  std::string key_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  const toml::node* get(std::string_view key) {
    used_.insert(std::string(key));
    return t_.get(key);
  }
  // A diagnostic at `key` (or at the table when the key is absent).
  void error(std::string_view key, const std::string& message);
  void missing(std::string_view key, const std::string& what);

  bool string(std::string_view key, std::string& out, bool required = false,
              const std::string& what = "a string");
  template <typename Int>
  bool integer(std::string_view key, Int& out, long long min, long long max) {
    long long v = 0;
    if (!integer_value(key, v, min, max)) return false;
    out = static_cast<Int>(v);
    return true;
  }
  bool boolean(std::string_view key, bool& out);
  // An integer number of seconds, or a string such as "90s", "5m", "1h", "2d".
  bool duration(std::string_view key, std::chrono::seconds& out, std::chrono::seconds min,
                std::chrono::seconds max);
  // False when absent, not an array, or any element is not a string.
  bool string_array(std::string_view key, std::vector<std::string>& out);
  // "env:NAME" or "file:NAME" ($CREDENTIALS_DIRECTORY) resolved; a literal secret is refused
  // without being echoed.
  bool credential(std::string_view key, std::optional<Credential>& out);
  // The same, as the secret only; `required` reports an absent key, `what` says what it is.
  std::optional<Secret> secret(std::string_view key, bool required, const std::string& what);

  std::optional<TomlTable> table(std::string_view key);
  std::vector<TomlTable> tables(std::string_view key);  // [[key]]

  // Reports the keys nobody read; `hint` says where the valid keys are documented.
  void finish(std::string_view hint = "deploy/config/mamori.example.toml");

  const toml::table& raw() const { return t_; }
  TomlReader& reader() { return r_; }

 private:
  bool integer_value(std::string_view key, long long& out, long long min, long long max);

  TomlReader& r_;
  const toml::table& t_;
  std::string path_;
  std::set<std::string> used_;
};

}  // namespace mamori::config
