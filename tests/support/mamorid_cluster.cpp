#include "tests/support/mamorid_cluster.h"

#include <signal.h>

#include <regex>
#include <vector>

#include "tests/support/fake_platform.h"

namespace mamori::testing {

MamoridInstance& MamoridCluster::start(const std::string& name, const ConfigFor& config) {
  MamoridInstance& in = instances_.emplace_back();
  in.name = name;
  in.port = free_tcp_port();
  const auto path = dir_.path() / ("mamori-" + name + ".toml");
  write_file(path, config(in.port));
  in.process = std::make_unique<ChildProcess>(
      std::vector<std::string>{(bin_dir() / "mamorid").string(), "--config", path.string()},
      dir_.path() / ("mamorid-" + name + ".log"));
  return in;
}

::testing::AssertionResult MamoridCluster::ready(MamoridInstance& instance) const {
  if (mamorid_ready(*instance.process, instance.port)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "mamorid " << instance.name << " is not ready\n"
                                       << instance.process->log();
}

::testing::AssertionResult MamoridCluster::start_ready(const std::string& name,
                                                       const ConfigFor& config) {
  return ready(start(name, config));
}

void MamoridCluster::reload(MamoridInstance& instance, const ConfigFor& config) const {
  write_file(dir_.path() / ("mamori-" + instance.name + ".toml"), config(instance.port));
  instance.process->signal(SIGHUP);
}

bool MamoridCluster::kill(MamoridInstance& instance) const {
  instance.process->signal(SIGKILL);
  return instance.process->wait_for_exit(std::chrono::seconds(10)).has_value();
}

std::optional<int> MamoridCluster::stop(MamoridInstance& instance,
                                        std::chrono::milliseconds timeout) const {
  instance.process->signal(SIGTERM);
  return instance.process->wait_for_exit(timeout);
}

std::string MamoridCluster::logs() const {
  std::string all;
  for (const auto& in : instances_) all += "--- " + in.name + "\n" + in.process->log();
  return all;
}

std::string with_instance_user_agent(const std::string& config, const std::string& name) {
  return std::regex_replace(config, std::regex(R"(\[http_client\]\n)"),
                            "[http_client]\nuser_agent = \"mamori-test-" + name + "\"\n");
}

std::string cluster_table(const std::string& name, std::chrono::seconds lease_period,
                          const std::string& more) {
  return "[cluster]\ninstance = \"" + name + "\"\nlease_period = \"" +
         std::to_string(lease_period.count()) + "s\"\n" + more;
}

}  // namespace mamori::testing
