// sd_notify(3) wrappers: READY=1, STOPPING=1, WATCHDOG=1, STATUS=. No-ops outside systemd.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace mamori::app {

void notify_ready(const std::string& status);
void notify_stopping();
void notify_reloading();
void notify_status(const std::string& status);
void notify_watchdog();
// The watchdog period systemd expects (WatchdogSec=), if the watchdog is enabled for us.
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace mamori::app
