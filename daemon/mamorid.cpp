// mamorid: the monitoring daemon. Everything is wired in daemon/app/daemon.cpp; this file only
// reads the command line.
#include <cstdio>
#include <cstring>
#include <string>

#include "daemon/app/daemon.h"
#include "daemon/app/version.h"

int main(int argc, char** argv) {
  std::string config_path = "/etc/mamori/mamori.toml";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--version") {
      std::printf("mamorid %s\n", mamori::app::kVersion);
      return 0;
    }
    if (arg == "--help" || arg == "-h") {
      std::printf(
          "usage: mamorid [--config FILE] [--version]\n"
          "  --config FILE  configuration (default /etc/mamori/mamori.toml)\n");
      return 0;
    }
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg.rfind("--config=", 0) == 0) {
      config_path = arg.substr(9);
    } else {
      std::fprintf(stderr, "mamorid: unknown argument '%s' (try --help)\n", arg.c_str());
      return 2;
    }
  }
  return mamori::app::run_daemon(config_path);
}
