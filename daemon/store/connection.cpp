#include "daemon/store/connection.h"

namespace mamori::store {

std::unique_ptr<pqxx::connection> connect(const std::string& dsn,
                                          const std::optional<config::Secret>& password) {
  std::string conninfo = dsn;
  if (password && !password->empty()) {
    std::string quoted = "'";
    for (char c : password->reveal()) {
      if (c == '\'' || c == '\\') quoted += '\\';
      quoted += c;
    }
    quoted += "'";
    conninfo += " password=" + quoted;
  }
  // Bound the time a dead server can hold the worker thread, unless the DSN says otherwise.
  if (conninfo.find("connect_timeout") == std::string::npos) conninfo += " connect_timeout=5";
  if (conninfo.find("application_name") == std::string::npos)
    conninfo += " application_name=mamori";
  // Timestamps leave the database in UTC (ISO-8601 with +00:00), whatever the server's zone.
  if (conninfo.find("options") == std::string::npos) conninfo += " options='-c TimeZone=UTC'";
  return std::make_unique<pqxx::connection>(conninfo);
}

bool is_connection_loss(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) return true;
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    return state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03";
  }
  return false;
}

std::string describe_error(const std::exception& e) {
  std::string message = e.what();
  const auto newline = message.find('\n');
  if (newline != std::string::npos) message.resize(newline);
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e); sql && !sql->sqlstate().empty()) {
    return "sqlstate=" + sql->sqlstate() + " " + message;
  }
  return message;
}

}  // namespace mamori::store
