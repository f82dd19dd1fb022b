#include "daemon/store/municipality_scope.h"

namespace mamori::store {

MunicipalityScope::MunicipalityScope(pqxx::connection& c, const std::string& scope)
    : c_(c), set_(!scope.empty() && scope != "*") {
  if (!set_) return;
  pqxx::nontransaction tx(c_);
  tx.exec_params("SELECT set_config('mamori.scope', $1, false)", scope);
}

MunicipalityScope::~MunicipalityScope() {
  if (!set_) return;
  try {
    pqxx::nontransaction tx(c_);
    tx.exec("SELECT set_config('mamori.scope', '', false)");
  } catch (const std::exception&) {
    // A lost connection forgets the setting with it.
  }
}

}  // namespace mamori::store
