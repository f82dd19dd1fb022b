// Where the misinformation detector's registered rumours come from: rumour files (the shipped
// starter set of recurring disaster rumours, files the city keeps) and the active rows of the
// `rumours` table that staff manage over the API (docs/api.md). RumourRefresher merges both and
// hands the list to the detection hub at start, whenever the API changes the table, and every
// `registry_refresh` (catching edits made directly in the database).
//
//   RumourRefresher r(io, database, settings.rumours,   // app::load_settings read the files
//                     [&hub](auto rumours) { hub.set_rumours(std::move(rumours)); }, &registry);
//   r.start();
//   // the API's on_change, posted to the loop:  r.refresh_now();
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "daemon/config/config.h"
#include "daemon/store/database.h"
#include "detectors/misinfo/rumours.h"

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Gauge;
}  // namespace prometheus

namespace mamori::detection {

// The shipped starter set next to an installed or built executable: <prefix>/share/mamori/rumours
// beside <prefix>/bin, deploy/rumours in a source tree holding the build directory, then
// /usr/share/mamori/rumours. Empty if none has starter.toml.
std::filesystem::path find_shipped_rumours(const std::filesystem::path& executable);

struct RumourSourceOptions {
  std::vector<std::filesystem::path> files;
  std::string municipality = "市";  // for the files' correction template
  std::chrono::seconds refresh{300};
  // What `files` hold, read by app::load_settings (an invalid file stops the start or the
  // reload there, as check-config reports it): the refresher itself reads no file.
  std::vector<detectors::misinfo::Rumour> from_files;
};

// [misinfo] rumour_files, or the shipped starter set when unset (a missing shipped set is
// logged, not fatal: the registry table still works). Lists the files; reads none.
RumourSourceOptions rumour_source_options(const config::Config& config,
                                          const std::filesystem::path& executable);

// The registry's active rows as the detector's rumours (ids "registry-<id>"). Throws pqxx errors.
std::vector<detectors::misinfo::Rumour> load_registered_rumours(pqxx::connection& c);

class RumourRefresher {
 public:
  using Apply = std::function<void(std::vector<detectors::misinfo::Rumour>)>;

  // `apply` runs on `io`'s thread. `registry` (may be null) gets mamori_rumours_loaded{source}.
  RumourRefresher(boost::asio::io_context& io, store::Database& database,
                  RumourSourceOptions options, Apply apply, prometheus::Registry* registry);
  ~RumourRefresher();
  RumourRefresher(const RumourRefresher&) = delete;
  RumourRefresher& operator=(const RumourRefresher&) = delete;

  // Applies the files' rumours and queries the table.
  void start();
  void stop();
  // Re-reads the table now (call on the loop's thread, e.g. after the API changed it).
  void refresh_now();
  // The files' rumours of a reloaded configuration, then the table again.
  void set_options(RumourSourceOptions options);

 private:
  void schedule();
  void apply_rows(std::vector<detectors::misinfo::Rumour> rows);

  boost::asio::io_context& io_;
  store::Database& database_;
  RumourSourceOptions options_;
  Apply apply_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool stopped_ = true;
  std::vector<detectors::misinfo::Rumour> from_registry_;
  prometheus::Gauge* loaded_files_ = nullptr;
  prometheus::Gauge* loaded_registry_ = nullptr;
};

}  // namespace mamori::detection
