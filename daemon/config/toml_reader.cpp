#include "daemon/config/toml_reader.h"

#include <fstream>
#include <sstream>

namespace mamori::config {

std::string describe_type(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

void TomlReader::error(const toml::node* node, const std::string& key, const std::string& message) {
  Diagnostic d;
  d.file = file_;
  if (node != nullptr && node->source().begin) {
    d.line = static_cast<int>(node->source().begin.line);
    d.column = static_cast<int>(node->source().begin.column);
  }
  d.key = key;
  d.message = message;
  errors_.push_back(std::move(d));
}

void TomlTable::error(std::string_view key, const std::string& message) {
  const toml::node* n = t_.get(key);
  r_.error(n != nullptr ? n : &t_, key_path(key), message);
}

void TomlTable::missing(std::string_view key, const std::string& what) {
  r_.error(&t_, key_path(key), "is required: " + what);
}

bool TomlTable::string(std::string_view key, std::string& out, bool required,
                       const std::string& what) {
  const toml::node* n = get(key);
  if (n == nullptr) {
    if (required) missing(key, what);
    return false;
  }
  if (const auto* s = n->as_string()) {
    if (required && s->get().empty()) {
      r_.error(n, key_path(key), "must not be empty; expected " + what);
      return false;
    }
    out = s->get();
    return true;
  }
  r_.error(n, key_path(key), "expected " + what + ", found " + describe_type(*n));
  return false;
}

bool TomlTable::integer_value(std::string_view key, long long& out, long long min, long long max) {
  const toml::node* n = get(key);
  if (n == nullptr) return false;
  const auto* i = n->as_integer();
  if (i == nullptr) {
    r_.error(n, key_path(key), "expected an integer, found " + describe_type(*n));
    return false;
  }
  const long long v = i->get();
  if (v < min || v > max) {
    r_.error(n, key_path(key),
             "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                 ", found " + std::to_string(v));
    return false;
  }
  out = v;
  return true;
}

bool TomlTable::boolean(std::string_view key, bool& out) {
  const toml::node* n = get(key);
  if (n == nullptr) return false;
  if (const auto* b = n->as_boolean()) {
    out = b->get();
    return true;
  }
  r_.error(n, key_path(key), "expected true or false, found " + describe_type(*n));
  return false;
}

bool TomlTable::duration(std::string_view key, std::chrono::seconds& out, std::chrono::seconds min,
                         std::chrono::seconds max) {
  const toml::node* n = get(key);
  if (n == nullptr) return false;
  long long seconds = -1;
  if (const auto* i = n->as_integer()) {
    seconds = i->get();
  } else if (const auto* s = n->as_string()) {
    // At most 9 digits: no overflow, and no duration anyone means is longer.
    const std::string& text = s->get();
    std::size_t digits = 0;
    while (digits < text.size() && digits < 9 && text[digits] >= '0' && text[digits] <= '9')
      ++digits;
    const std::string unit = text.substr(digits);
    long long mult = 0;
    if (unit.empty() || unit == "s")
      mult = 1;
    else if (unit == "m")
      mult = 60;
    else if (unit == "h")
      mult = 3600;
    else if (unit == "d")
      mult = 86400;
    if (digits > 0 && mult > 0) seconds = std::stoll(text.substr(0, digits)) * mult;
  }
  if (seconds < 0) {
    r_.error(n, key_path(key),
             "expected a duration (seconds as an integer, or a string like \"90s\", \"5m\", "
             "\"1h\", \"2d\")");
    return false;
  }
  if (seconds < min.count() || seconds > max.count()) {
    r_.error(n, key_path(key),
             "expected a duration from " + std::to_string(min.count()) + "s to " +
                 std::to_string(max.count()) + "s, found " + std::to_string(seconds) + "s");
    return false;
  }
  out = std::chrono::seconds(seconds);
  return true;
}

bool TomlTable::string_array(std::string_view key, std::vector<std::string>& out) {
  const toml::node* n = get(key);
  if (n == nullptr) return false;
  const auto* a = n->as_array();
  if (a == nullptr) {
    r_.error(n, key_path(key), "expected an array of strings, found " + describe_type(*n));
    return false;
  }
  out.clear();
  bool ok = true;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& item = (*a)[i];
    if (const auto* s = item.as_string()) {
      out.push_back(s->get());
    } else {
      r_.error(&item, key_path(key) + "[" + std::to_string(i) + "]",
               "expected a string, found " + describe_type(item));
      ok = false;
    }
  }
  return ok;
}

bool TomlTable::credential(std::string_view key, std::optional<Credential>& out) {
  const toml::node* n = get(key);
  if (n == nullptr) return false;
  const auto* s = n->as_string();
  const std::string text = s != nullptr ? s->get() : "";
  Credential c;
  if (text.rfind("env:", 0) == 0) {
    c.ref = {CredentialRef::Kind::env, text.substr(4)};
  } else if (text.rfind("file:", 0) == 0) {
    c.ref = {CredentialRef::Kind::file, text.substr(5)};
  } else {
    // Never echo the value: it may be a pasted secret.
    r_.error(n, key_path(key),
             "expected a credential reference \"env:NAME\" or \"file:NAME\"; secrets are not "
             "written into the configuration file");
    return false;
  }
  if (c.ref.name.empty() || c.ref.name.find('/') != std::string::npos ||
      c.ref.name.find("..") != std::string::npos) {
    r_.error(n, key_path(key), "credential name must be a plain name (no '/' or '..')");
    return false;
  }
  const CredentialSource& src = r_.credentials();
  if (c.ref.kind == CredentialRef::Kind::env) {
    std::optional<std::string> v = src.getenv ? src.getenv(c.ref.name) : std::nullopt;
    if (!v || v->empty()) {
      r_.error(n, key_path(key), "environment variable " + c.ref.name + " is not set or empty");
      return false;
    }
    c.value = Secret(std::move(*v));
  } else {
    if (!src.directory) {
      r_.error(n, key_path(key),
               "file: credentials are read from $CREDENTIALS_DIRECTORY, which is not set "
               "(systemd sets it for LoadCredential=)");
      return false;
    }
    const std::filesystem::path p = *src.directory / c.ref.name;
    std::ifstream in(p, std::ios::binary);
    if (!in) {
      r_.error(n, key_path(key), "credential file " + p.string() + " cannot be read");
      return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string v = ss.str();
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
    if (v.empty()) {
      r_.error(n, key_path(key), "credential file " + p.string() + " is empty");
      return false;
    }
    c.value = Secret(std::move(v));
  }
  out = std::move(c);
  return true;
}

std::optional<Secret> TomlTable::secret(std::string_view key, bool required,
                                        const std::string& what) {
  if (t_.get(key) == nullptr) {
    used_.insert(std::string(key));
    if (required) missing(key, what + " as a credential reference \"env:NAME\" or \"file:NAME\"");
    return std::nullopt;
  }
  std::optional<Credential> c;
  if (!credential(key, c)) return std::nullopt;
  return std::move(c->value);
}

std::optional<TomlTable> TomlTable::table(std::string_view key) {
  const toml::node* n = get(key);
  if (n == nullptr) return std::nullopt;
  if (const auto* t = n->as_table()) return TomlTable(r_, *t, key_path(key));
  r_.error(n, key_path(key),
           "expected a table [" + key_path(key) + "], found " + describe_type(*n));
  return std::nullopt;
}

std::vector<TomlTable> TomlTable::tables(std::string_view key) {
  std::vector<TomlTable> out;
  const toml::node* n = get(key);
  if (n == nullptr) return out;
  const auto* a = n->as_array();
  if (a == nullptr) {
    r_.error(n, key_path(key), "expected an array of tables [[" + key_path(key) + "]]");
    return out;
  }
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& item = (*a)[i];
    const std::string path = key_path(key) + "[" + std::to_string(i) + "]";
    if (const auto* t = item.as_table())
      out.emplace_back(r_, *t, path);
    else
      r_.error(&item, path, "expected a table, found " + describe_type(item));
  }
  return out;
}

void TomlTable::finish(std::string_view hint) {
  for (const auto& [k, v] : t_) {
    if (used_.count(std::string(k.str())) == 0) {
      r_.error(&v, key_path(k.str()),
               "unknown key (check the spelling against " + std::string(hint) + ")");
    }
  }
}

}  // namespace mamori::config
