// The municipality scope of one piece of database work (issue 20,
// deploy/sql/055_municipalities.sql): while a MunicipalityScope lives, the connection's
// `mamori.scope` setting names the municipalities the work is done for, and every query filtering
// with the SQL function mamori_in_scope sees their rows only. The API applies the caller's scope
// this way for each request (daemon/api/api_support.cpp), an acknowledge link the scope of the
// incident's municipality it was sent for (daemon/alerts/ack_link_routes.cpp).
#pragma once

#include <pqxx/pqxx>
#include <string>

namespace mamori::store {

class MunicipalityScope {
 public:
  // `scope`: "*" (or empty) for every municipality, else their ids joined with ','.
  MunicipalityScope(pqxx::connection& c, const std::string& scope);
  ~MunicipalityScope();
  MunicipalityScope(const MunicipalityScope&) = delete;
  MunicipalityScope& operator=(const MunicipalityScope&) = delete;

 private:
  pqxx::connection& c_;
  bool set_;
};

}  // namespace mamori::store
