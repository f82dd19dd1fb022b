// mamorictl user add|passwd|disable|enable|role|totp-reset|list: the web console's local users
// (issue 9). Passwords are read from standard input (one line; never from the command line, where
// `ps` and shell history would show them) and checked against special-ward.txt 5(2) before hashing.
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "daemon/config/config.h"
#include "daemon/ctl/commands.h"
#include "daemon/http/client_address.h"
#include "daemon/signin/password.h"
#include "daemon/signin/totp.h"
#include "daemon/signin/totp_vault.h"
#include "daemon/signin/user_store.h"
#include "daemon/store/connection.h"
#include "daemon/store/migrations.h"

namespace mamori::ctl {
namespace {

constexpr const char* kUsage =
    "usage: mamorictl user add NAME --role viewer|responder|admin [--display-name S] [--totp] "
    "[--config FILE | --dsn DSN]\n"
    "       mamorictl user passwd NAME [--config FILE | --dsn DSN]\n"
    "       mamorictl user disable NAME [--config FILE | --dsn DSN]\n"
    "       mamorictl user enable NAME [--config FILE | --dsn DSN]\n"
    "       mamorictl user role NAME --role viewer|responder|admin [--config FILE | --dsn DSN]\n"
    "       mamorictl user totp-reset NAME [--off] [--config FILE | --dsn DSN]\n"
    "       mamorictl user scope NAME --municipalities ID[,ID...]|all [--config FILE | --dsn DSN]\n"
    "       mamorictl user list [--config FILE | --dsn DSN]\n"
    "       mamorictl user unblock NAME | --address IP | NAME --address IP | --all "
    "[--config FILE | --dsn DSN]\n"
    "(the password is read from standard input, one line)\n";

struct UserArgs {
  std::string action;
  std::string name;
  std::string role;
  std::string display_name;
  bool totp = false;
  bool off = false;            // totp-reset --off
  std::string address;         // unblock --address
  bool all = false;            // unblock --all
  std::string municipalities;  // scope --municipalities
  std::string config_path = "/etc/mamori/mamori.toml";
  std::string dsn;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "mamorictl user: %s\n%s", message.c_str(), kUsage);
  return 2;
}

// One line from stdin. On a terminal the input is not echoed and asked twice.
std::optional<std::string> read_password(std::string& error) {
  const bool tty = isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  const auto read_line = [&](const char* prompt, std::string& out) {
    if (tty) std::fputs(prompt, stderr);
    const bool ok = static_cast<bool>(std::getline(std::cin, out));
    if (tty) std::fputs("\n", stderr);
    if (!out.empty() && out.back() == '\r') out.pop_back();
    return ok;
  };
  std::string first;
  std::string second;
  bool ok = read_line("パスワード: ", first);
  if (ok && tty) ok = read_line("パスワード（確認）: ", second);
  if (tty) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  if (!ok) {
    error = "standard input: expected the password on one line";
    return std::nullopt;
  }
  if (tty && first != second) {
    error = "standard input: the two passwords differ";
    return std::nullopt;
  }
  return first;
}

// With --config, the TOTP secrets are encrypted with its [console] totp_key (if set).
std::unique_ptr<pqxx::connection> open_database(const UserArgs& a, int& exit_code,
                                                signin::TotpVault& vault) {
  std::string dsn = a.dsn;
  std::optional<config::Secret> password;
  if (dsn.empty()) {
    const auto result = config::load_file(a.config_path);
    if (!result.ok()) {
      std::fputs(result.error_text().c_str(), stderr);
      exit_code = 2;
      return nullptr;
    }
    dsn = result.config->database.dsn;
    if (result.config->database.password) password = result.config->database.password->value;
    if (result.config->console.totp_key) {
      vault = signin::TotpVault(result.config->console.totp_key->value);
    }
  }
  auto connection = store::connect(dsn, password);
  // The tables may not exist yet on a fresh install (mamorid not started): create them.
  store::apply_migrations(*connection);
  return connection;
}

// special-ward.txt 5(3): passwords are changed at least once a year.
bool older_than_a_year(const std::string& iso) {
  std::tm tm{};
  if (iso.size() < 19 || strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return false;
  const std::time_t then = timegm(&tm);
  return std::time(nullptr) - then > 365L * 24 * 3600;
}

// Prints the new secret for the user's authenticator app: shown once, the store keeps no other
// copy to show.
void print_totp_secret(const std::string& name, const std::vector<unsigned char>& secret,
                       const std::string& secret_text) {
  std::printf("TOTP secret (base32): %s\n", secret_text.c_str());
  std::printf("otpauth URI: %s\n", signin::otpauth_uri("mamori", name, secret).c_str());
}

bool known_action(const std::string& action) {
  for (const char* known :
       {"add", "passwd", "disable", "enable", "role", "totp-reset", "list", "unblock", "scope"}) {
    if (action == known) return true;
  }
  return false;
}

}  // namespace

int user_command(const Args& args) {
  constexpr const char* kActions =
      "add, passwd, disable, enable, role, totp-reset, list, unblock or scope";
  if (args.empty()) return usage_error(std::string("expected ") + kActions);
  UserArgs a;
  a.action = args[0];
  if (!known_action(a.action)) {
    return usage_error("unknown action '" + a.action + "' (expected " + kActions + ")");
  }
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    if (arg == "--role") {
      if (!value(a.role)) return usage_error("--role needs a value");
    } else if (arg == "--display-name") {
      if (!value(a.display_name)) return usage_error("--display-name needs a value");
    } else if (arg == "--config") {
      if (!value(a.config_path)) return usage_error("--config needs a file");
    } else if (arg == "--dsn") {
      if (!value(a.dsn)) return usage_error("--dsn needs a connection string");
    } else if (arg == "--municipalities") {
      if (!value(a.municipalities)) return usage_error("--municipalities needs ID[,ID...] or all");
    } else if (arg == "--totp") {
      a.totp = true;
    } else if (arg == "--off") {
      a.off = true;
    } else if (arg == "--address") {
      if (!value(a.address)) return usage_error("--address needs an IP address");
    } else if (arg == "--all") {
      a.all = true;
    } else if (arg == "--password") {
      return usage_error("passwords are read from standard input, never from the command line");
    } else if (!arg.empty() && arg[0] == '-') {
      return usage_error("unknown option '" + arg + "'");
    } else if (a.name.empty()) {
      a.name = arg;
    } else {
      return usage_error("unexpected argument '" + arg + "'");
    }
  }
  if (a.action == "unblock") {
    if (a.all != (a.name.empty() && a.address.empty())) {
      return usage_error("unblock takes NAME, --address IP, both, or --all alone");
    }
    if (!a.address.empty()) {
      if (const std::string wrong = http::AddressList::check(a.address);
          !wrong.empty() || a.address.find('/') != std::string::npos) {
        return usage_error("--address '" + a.address + "': expected an IP address");
      }
      a.address = http::address_key(a.address);  // as the throttle counts it (IPv6: its /64)
    }
  } else if (!a.address.empty() || a.all) {
    return usage_error("--address and --all belong to 'user unblock'");
  }
  if (a.action != "list" && !(a.action == "unblock" && a.name.empty())) {
    if (a.name.empty()) return usage_error("NAME is missing");
    if (!signin::valid_user_name(a.name)) {
      return usage_error("NAME '" + a.name +
                         "': expected lower-case letters, digits, '.', '_' or '-' (at most 64), "
                         "starting with a letter or digit");
    }
  }
  if (a.action != "add" && (a.totp || !a.display_name.empty())) {
    return usage_error("--display-name and --totp belong to 'user add'");
  }
  if (a.action != "add" && a.action != "role" && !a.role.empty()) {
    return usage_error("--role belongs to 'user add' and 'user role'");
  }
  if (a.action != "totp-reset" && a.off) {
    return usage_error("--off belongs to 'user totp-reset'");
  }
  if ((a.action == "scope") != !a.municipalities.empty()) {
    return usage_error("'user scope' needs --municipalities, and only it takes one");
  }
  const std::vector<std::string> municipalities =
      a.municipalities == "all" ? std::vector<std::string>{}
                                : signin::split_municipalities(a.municipalities);
  for (const std::string& m : municipalities) {
    if (!signin::valid_user_name(m) || m.find('.') != std::string::npos)
      return usage_error("--municipalities: '" + m + "' is not a municipality id");
  }
  std::optional<api::Role> role;
  if (a.action == "add" || a.action == "role") {
    role = api::role_from_string(a.role);
    if (!role) return usage_error("--role: expected viewer, responder or admin");
  }

  std::string password;
  if (a.action == "add" || a.action == "passwd") {
    std::string error;
    auto read = read_password(error);
    if (!read) return usage_error(error);
    password = std::move(*read);
    if (auto violation = signin::password_policy_violation(password, a.name)) {
      std::fprintf(stderr, "mamorictl user %s: standard input: %s\n", a.action.c_str(),
                   violation->c_str());
      return 2;
    }
  }

  int exit_code = 0;
  signin::TotpVault vault;
  auto connection = open_database(a, exit_code, vault);
  if (!connection) return exit_code;
  try {
    if (a.action == "add") {
      std::optional<std::string> secret_text;
      std::vector<unsigned char> secret;
      if (a.totp) {
        secret = signin::generate_totp_secret();
        secret_text = signin::base32_encode(secret);
      }
      signin::add_user(
          *connection, a.name, a.display_name, *role, signin::hash_password(password),
          secret_text ? std::optional(vault.seal(a.name, *secret_text)) : std::nullopt);
      std::printf("user %s added (role %s)\n", a.name.c_str(),
                  std::string(signin::role_name(*role)).c_str());
      if (a.totp) print_totp_secret(a.name, secret, *secret_text);
    } else if (a.action == "passwd") {
      signin::set_password(*connection, a.name, signin::hash_password(password));
      std::printf("password of %s changed; the user's sessions were ended\n", a.name.c_str());
    } else if (a.action == "disable") {
      signin::disable_user(*connection, a.name);
      std::printf("user %s disabled; the user's sessions were ended\n", a.name.c_str());
    } else if (a.action == "enable") {
      const bool was_disabled = signin::enable_user(*connection, a.name);
      std::printf("user %s %s\n", a.name.c_str(), was_disabled ? "enabled" : "was already enabled");
    } else if (a.action == "role") {
      const api::Role previous = signin::set_role(*connection, a.name, *role);
      std::printf("role of %s changed from %s to %s; the user's sessions were ended\n",
                  a.name.c_str(), std::string(signin::role_name(previous)).c_str(),
                  std::string(signin::role_name(*role)).c_str());
    } else if (a.action == "scope") {
      signin::set_municipalities(*connection, a.name, municipalities);
      std::printf("%s now works for %s; the user's sessions were ended\n", a.name.c_str(),
                  municipalities.empty() ? "all municipalities" : a.municipalities.c_str());
    } else if (a.action == "unblock") {
      signin::request_unblock(*connection, a.name, a.address);
      std::string who = a.all ? "every user and address" : "";
      if (!a.name.empty()) who = "user " + a.name;
      if (!a.address.empty()) who += (who.empty() ? "address " : " from ") + a.address;
      std::printf("sign-in block of %s lifted (mamorid applies it at the next attempt)\n",
                  who.c_str());
    } else if (a.action == "totp-reset") {
      if (a.off) {
        signin::set_totp_secret(*connection, a.name, std::nullopt);
        std::printf("TOTP of %s turned off; the user's sessions were ended\n", a.name.c_str());
      } else {
        const std::vector<unsigned char> secret = signin::generate_totp_secret();
        const std::string secret_text = signin::base32_encode(secret);
        signin::set_totp_secret(*connection, a.name, vault.seal(a.name, secret_text));
        std::printf("TOTP secret of %s replaced; the user's sessions were ended\n", a.name.c_str());
        print_totp_secret(a.name, secret, secret_text);
      }
    } else {
      std::printf("%-20s %-10s %-5s %-8s %-20s %-20s %s\n", "NAME", "ROLE", "TOTP", "STATE",
                  "PASSWORD_CHANGED", "LAST_LOGIN", "DISPLAY_NAME");
      for (const auto& u : signin::list_users(*connection)) {
        std::printf("%-20s %-10s %-5s %-8s %-20s %-20s %s%s\n", u.name.c_str(),
                    std::string(signin::role_name(u.role)).c_str(), u.totp_secret ? "yes" : "no",
                    u.disabled ? "disabled" : "active", u.password_changed_at.c_str(),
                    u.last_login_at.empty() ? "-" : u.last_login_at.c_str(), u.display_name.c_str(),
                    !u.disabled && older_than_a_year(u.password_changed_at)
                        ? "  (パスワードを 1 年以上変更していません)"
                        : "");
      }
    }
  } catch (const signin::UserError& e) {
    if (!password.empty()) signin::wipe_string(password);
    std::fprintf(stderr, "mamorictl user %s: %s\n", a.action.c_str(), e.what());
    // An unknown NAME is bad input (exit 2); a refused change (a duplicate name) exits 1.
    return dynamic_cast<const signin::UnknownUserError*>(&e) != nullptr ? 2 : 1;
  }
  if (!password.empty()) signin::wipe_string(password);
  return 0;
}

}  // namespace mamori::ctl
