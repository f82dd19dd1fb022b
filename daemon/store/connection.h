// Opening PostgreSQL connections without ever putting the password into a log line.
#pragma once

#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "daemon/config/config.h"

namespace mamori::store {

// `dsn` is a libpq connection string; `password`, if set, is appended as a quoted parameter.
std::unique_ptr<pqxx::connection> connect(const std::string& dsn,
                                          const std::optional<config::Secret>& password);

// True for errors that mean "the connection is gone" rather than "this statement is wrong":
// broken_connection, and server-side terminations (SQLSTATE class 08, 57P01-57P03).
bool is_connection_loss(const std::exception& e);

// A short description for logs: the SQLSTATE when there is one, and the first line of the message.
std::string describe_error(const std::exception& e);

}  // namespace mamori::store
