// mamorictl subcommands. Each takes the arguments after its name and returns the exit code:
// 0 success, 1 the operation failed, 2 bad usage or bad input (one line naming file,
// line/field and what was expected — docs/design.md "mamorictl").
#pragma once

#include <string>
#include <vector>

namespace mamori::ctl {

using Args = std::vector<std::string>;

int check_config_command(const Args& args);
int migrate_command(const Args& args);
int parse_command(const Args& args);
int misinfo_command(const Args& args);
int lookalike_command(const Args& args);
int playbook_validate_command(const Args& args);
int playbook_render_command(const Args& args);
int spikes_command(const Args& args);
int user_command(const Args& args);
int incident_open_command(const Args& args);

}  // namespace mamori::ctl
