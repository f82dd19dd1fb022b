// mamorid's composition root: builds every component explicitly, starts them in order
// (config -> database -> HTTP -> workers), and tears them down in reverse, always.
#pragma once

#include <filesystem>

namespace mamori::app {

// Runs the daemon until SIGTERM/SIGINT. Returns the process exit code:
// 0 after a graceful stop, 1 when a start-up step failed, 2 for an invalid configuration.
int run_daemon(const std::filesystem::path& config_path);

}  // namespace mamori::app
