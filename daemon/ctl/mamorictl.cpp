// mamorictl: administration and offline commands that run the daemon's own code on files.
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "daemon/app/version.h"
#include "daemon/ctl/commands.h"

namespace {

struct Command {
  std::string_view name;
  int (*run)(const mamori::ctl::Args&);
  std::string_view usage;
};

// Wired explicitly: one line per subcommand.
constexpr Command kCommands[] = {
    {"check-config", mamori::ctl::check_config_command,
     "check-config [--credentials-dir DIR] FILE"},
    {"migrate", mamori::ctl::migrate_command, "migrate [--config FILE | --dsn DSN]"},
    {"lookalike", mamori::ctl::lookalike_command,
     "lookalike --official A.jsonl --candidates B.jsonl [-o OUT.jsonl] [--allow ALLOW.jsonl] "
     "[--neighbour NAME]... [--now DATE]"},
    {"spikes", mamori::ctl::spikes_command,
     "spikes IN.csv [-o OUT.csv] [--utc-offset +09:00] [--threshold X] [--close-threshold X] "
     "[--tolerated-ratio X] [--quiet-minutes N] [--cooldown-minutes N] [--min-volume-scale X]"},
    {"user", mamori::ctl::user_command,
     "user add NAME --role viewer|responder|admin [--display-name S] [--totp] | passwd NAME | "
     "disable NAME | enable NAME | role NAME --role R | totp-reset NAME [--off] | list  [--config "
     "FILE | --dsn DSN] (password on stdin)"},
    {"misinfo", mamori::ctl::misinfo_command,
     "misinfo --official POSTS.jsonl --replies REPLIES.jsonl [--rumors R.toml]"},
    {"parse", mamori::ctl::parse_command,
     "parse --platform x|bluesky|mastodon|facebook|instagram|youtube --endpoint NAME "
     "[--observed-at TIME] [--status CODE] [--ref REF]... [--link LINK] [--page-info] FILE.json"},
    {"incident open", mamori::ctl::incident_open_command,
     "incident open --type TYPE --subject TEXT --summary TEXT [--severity S] [--platform P] "
     "[--evidence FILE] [--as NAME] [--config FILE]"},
    {"playbook validate", mamori::ctl::playbook_validate_command,
     "playbook validate [DIR [OVERRIDE_DIR ...]]"},
    {"playbook render", mamori::ctl::playbook_render_command,
     "playbook render TYPE TEMPLATE --incident FILE.json [--dir DIR] [--overrides DIR]"},
};

void usage(std::FILE* out) {
  std::fprintf(out, "usage: mamorictl COMMAND [ARGS]\n\ncommands:\n");
  for (const auto& c : kCommands) {
    std::fprintf(out, "  %.*s\n", static_cast<int>(c.usage.size()), c.usage.data());
  }
  std::fprintf(out, "\n  --version   print the version\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const std::string_view name = argv[1];
  if (name == "--version") {
    std::printf("mamorictl %s\n", mamori::app::kVersion);
    return 0;
  }
  if (name == "--help" || name == "-h" || name == "help") {
    usage(stdout);
    return 0;
  }
  mamori::ctl::Args args(argv + 2, argv + argc);
  // Two-word commands ("playbook validate", "user add") are looked up with their first word
  // joined to the second.
  for (const auto& c : kCommands) {
    if (c.name == name) {
      try {
        return c.run(args);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "mamorictl %s: %s\n", argv[1], e.what());
        return 1;
      }
    }
    if (!args.empty() && c.name == std::string(name) + " " + args.front()) {
      mamori::ctl::Args rest(args.begin() + 1, args.end());
      try {
        return c.run(rest);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "mamorictl %s %s: %s\n", argv[1], args.front().c_str(), e.what());
        return 1;
      }
    }
  }
  std::fprintf(stderr, "mamorictl: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
