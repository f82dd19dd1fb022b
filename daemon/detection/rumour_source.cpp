#include "daemon/detection/rumour_source.h"

#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <exception>

#include "daemon/log/log.h"

namespace mamori::detection {

namespace asio = boost::asio;
namespace misinfo = detectors::misinfo;

std::filesystem::path find_shipped_rumours(const std::filesystem::path& executable) {
  std::vector<std::filesystem::path> candidates;
  const auto bin = executable.parent_path();
  candidates.push_back((bin / ".." / "share" / "mamori" / "rumours").lexically_normal());
  auto dir = bin;
  for (int i = 0; i < 4 && !dir.empty(); ++i) {
    candidates.push_back(dir / "deploy" / "rumours");
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  candidates.emplace_back("/usr/share/mamori/rumours");
  for (const auto& c : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(c / "starter.toml", ec)) {
      return std::filesystem::weakly_canonical(c / "starter.toml", ec);
    }
  }
  return {};
}

RumourSourceOptions rumour_source_options(const config::Config& config,
                                          const std::filesystem::path& executable) {
  RumourSourceOptions o;
  if (!config.municipality.name.empty()) o.municipality = config.municipality.name;
  o.refresh = config.misinfo.registry_refresh;
  if (config.misinfo.rumour_files) {
    for (const auto& f : *config.misinfo.rumour_files) {
      std::filesystem::path p(f);
      // Relative paths are relative to the configuration file, as staff would expect.
      if (p.is_relative() && !config.source.empty()) p = config.source.parent_path() / p;
      o.files.push_back(std::move(p));
    }
  } else if (auto shipped = find_shipped_rumours(executable); !shipped.empty()) {
    o.files.push_back(std::move(shipped));
  } else {
    log::warn("rumours.starter_missing", {{"expected", "/usr/share/mamori/rumours/starter.toml"},
                                          {"action", "continuing with the registry table only"}});
  }
  return o;
}

std::vector<misinfo::Rumour> load_registered_rumours(pqxx::connection& c) {
  pqxx::read_transaction tx(c);
  const auto rows = tx.exec(
      "SELECT id, claim, coalesce(array_to_json(wordings)::text, '[]'), correction, correction_url"
      " FROM rumours WHERE active ORDER BY id");
  std::vector<misinfo::Rumour> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    misinfo::Rumour r;
    r.id = "registry-" + row[0].as<std::string>();
    r.claim = row[1].as<std::string>();
    boost::system::error_code ec;
    const auto words = boost::json::parse(row[2].as<std::string>(), ec);
    if (!ec && words.is_array()) {
      for (const auto& w : words.as_array()) {
        if (w.is_string() && !w.as_string().empty()) r.wordings.emplace_back(w.as_string().c_str());
      }
    }
    r.correction = row[3].as<std::string>();
    r.correction_url = row[4].as<std::string>();
    out.push_back(std::move(r));
  }
  return out;
}

RumourRefresher::RumourRefresher(asio::io_context& io, store::Database& database,
                                 RumourSourceOptions options, Apply apply,
                                 prometheus::Registry* registry)
    : io_(io),
      database_(database),
      options_(std::move(options)),
      apply_(std::move(apply)),
      timer_(io) {
  if (registry != nullptr) {
    auto& family = prometheus::BuildGauge()
                       .Name("mamori_rumours_loaded")
                       .Help("Registered rumours the misinformation detector matches, by source")
                       .Register(*registry);
    loaded_files_ = &family.Add({{"source", "file"}});
    loaded_registry_ = &family.Add({{"source", "registry"}});
  }
}

RumourRefresher::~RumourRefresher() {
  *alive_ = false;
  stop();
}

void RumourRefresher::start() {
  stopped_ = false;
  apply_rows(from_registry_);  // the files at once; the table's rows when the query answers
  refresh_now();
  schedule();
}

void RumourRefresher::stop() {
  stopped_ = true;
  timer_.cancel();
}

void RumourRefresher::set_options(RumourSourceOptions options) {
  options_ = std::move(options);
  refresh_now();
}

void RumourRefresher::refresh_now() {
  if (stopped_) return;
  std::weak_ptr<bool> alive = alive_;
  const bool queued =
      database_.submit("detection.load_rumours", [this, alive](pqxx::connection& c) {
        auto rows = load_registered_rumours(c);
        asio::post(io_, [this, alive, rows = std::move(rows)]() mutable {
          if (alive.expired() || stopped_) return;
          apply_rows(std::move(rows));
        });
      });
  if (!queued) log::warn("rumours.refresh_dropped", {{"reason", "store queue full"}});
}

void RumourRefresher::apply_rows(std::vector<misinfo::Rumour> rows) {
  from_registry_ = std::move(rows);
  std::vector<misinfo::Rumour> all = options_.from_files;
  all.insert(all.end(), from_registry_.begin(), from_registry_.end());
  if (loaded_files_ != nullptr) loaded_files_->Set(static_cast<double>(options_.from_files.size()));
  if (loaded_registry_ != nullptr)
    loaded_registry_->Set(static_cast<double>(from_registry_.size()));
  log::debug("rumours.applied",
             {{"files", options_.from_files.size()}, {"registry", from_registry_.size()}});
  if (apply_) apply_(std::move(all));
}

void RumourRefresher::schedule() {
  timer_.expires_after(options_.refresh);
  timer_.async_wait(
      [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        if (ec || alive.expired() || stopped_) return;
        refresh_now();
        schedule();
      });
}

}  // namespace mamori::detection
