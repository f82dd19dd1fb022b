// Several mamorid processes on one PostgreSQL, as a cluster of instances runs (daemon/polling/
// leases.h): each instance's configuration written to the test's directory, started on a port
// of its own with its log beside it, waited for, killed or stopped, and all their logs at once
// for a failing assertion's message.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "tests/support/test_support.h"

namespace mamori::testing {

struct MamoridInstance {
  std::string name;
  unsigned short port = 0;
  std::unique_ptr<ChildProcess> process;
};

class MamoridCluster {
 public:
  // The configuration text of instance `name` listening on `port`.
  using ConfigFor = std::function<std::string(unsigned short port)>;

  // Configurations and logs go to `dir` (mamori-<name>.toml, mamorid-<name>.log).
  explicit MamoridCluster(const TempDir& dir) : dir_(dir) {}

  // Starts mamorid `name` on a free port with the configuration `config` gives for it; not
  // waited for (ready() does).
  MamoridInstance& start(const std::string& name, const ConfigFor& config);
  // Until the instance answers /readyz (60 s at most); the failure message is its log.
  ::testing::AssertionResult ready(MamoridInstance& instance) const;
  // start() and ready() at once.
  ::testing::AssertionResult start_ready(const std::string& name, const ConfigFor& config);

  // Writes the instance's configuration anew and sends SIGHUP (a reload); not waited for.
  void reload(MamoridInstance& instance, const ConfigFor& config) const;
  // SIGKILL, and waited for (a kill without a word, as a crash or a lost machine); false when
  // it had not exited 10 s later.
  bool kill(MamoridInstance& instance) const;
  // SIGTERM; the exit status, or nullopt when it did not exit within `timeout`.
  std::optional<int> stop(MamoridInstance& instance,
                          std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

  // Every instance's log, each under "--- <name>".
  std::string logs() const;

  MamoridInstance& operator[](std::size_t i) { return instances_[i]; }
  MamoridInstance& back() { return instances_.back(); }
  std::size_t size() const { return instances_.size(); }
  std::deque<MamoridInstance>::iterator begin() { return instances_.begin(); }
  std::deque<MamoridInstance>::iterator end() { return instances_.end(); }

 private:
  const TempDir& dir_;
  std::deque<MamoridInstance> instances_;  // stable addresses as instances are added
};

// `config` (from mamorid_config()) with the instance's requests sent as "mamori-test-<name>", so
// the fake platform's request log tells the instances apart.
std::string with_instance_user_agent(const std::string& config, const std::string& name);

// The [cluster] table of instance `name` with leases of `lease_period`, and `more` lines in it.
std::string cluster_table(const std::string& name, std::chrono::seconds lease_period,
                          const std::string& more = "");

}  // namespace mamori::testing
