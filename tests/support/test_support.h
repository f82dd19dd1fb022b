// Helpers shared by the tests: paths, the throwaway PostgreSQL, temp dirs, child processes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mamori::testing {

std::filesystem::path source_dir();  // repository root
std::filesystem::path bin_dir();     // build/bin (mamorid, mamorictl, fakeplatform)
std::filesystem::path data_dir();    // tests/data

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& content);

// A directory removed (recursively) when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The DSN of the cluster started by tests/run.sh (MAMORI_TEST_DSN). Fails the test if unset.
std::string test_dsn();

// A fresh, empty database on the test cluster, dropped again by the destructor.
class ScratchDatabase {
 public:
  ScratchDatabase();
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  const std::string& dsn() const { return dsn_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::string dsn_;
};

// A private PostgreSQL cluster owned by one test, which it may stop and start (outage tests).
class OwnPostgres {
 public:
  OwnPostgres();
  ~OwnPostgres();
  OwnPostgres(const OwnPostgres&) = delete;
  OwnPostgres& operator=(const OwnPostgres&) = delete;
  void stop();
  void start();
  const std::string& dsn() const { return dsn_; }

 private:
  std::filesystem::path dir_;
  std::string dsn_;
};

// Runs a shell command, returns its exit status and captured stdout (stderr passes through).
struct CommandResult {
  int exit_code = -1;
  std::string out;
};
CommandResult run_command(const std::string& command);

// A child process started with argv, stderr/stdout captured to a file; killed if still running.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, std::filesystem::path log_file);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  // Waits for exit; returns the exit status, or nullopt on timeout.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
  std::string log() const;

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  std::filesystem::path log_file_;
};

// Plain HTTP/1.1 GET over loopback; returns status code and body (status 0 on connection error).
struct HttpResult {
  int status = 0;
  std::string body;
};
HttpResult http_get(const std::string& host, unsigned short port, const std::string& target,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5));
// Any method, with extra header lines ("Authorization: Bearer x") and a body.
HttpResult http_request(const std::string& method, const std::string& host, unsigned short port,
                        const std::string& target, const std::vector<std::string>& headers = {},
                        const std::string& body = "",
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Polls `predicate` until it is true or the timeout passes.
template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = std::chrono::milliseconds(20));

unsigned short free_tcp_port();

}  // namespace mamori::testing

#include <thread>

template <typename Predicate>
bool mamori::testing::eventually(Predicate predicate, std::chrono::milliseconds timeout,
                                 std::chrono::milliseconds step) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(step);
  }
  return predicate();
}
