#include "tests/support/test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace mamori::testing {

std::filesystem::path source_dir() {
  return MAMORI_SOURCE_DIR;
}
std::filesystem::path bin_dir() {
  return MAMORI_BIN_DIR;
}
std::filesystem::path data_dir() {
  return source_dir() / "tests" / "data";
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  out << content;
}

namespace {
std::string random_suffix() {
  static std::atomic<unsigned> counter{0};
  std::random_device rd;
  std::ostringstream ss;
  ss << getpid() << "_" << counter++ << "_" << (rd() % 100000);
  return ss.str();
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}
}  // namespace

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "mamori-test.XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string test_dsn() {
  const char* dsn = std::getenv("MAMORI_TEST_DSN");
  if (dsn == nullptr || *dsn == '\0') {
    ADD_FAILURE() << "MAMORI_TEST_DSN is not set: run the suite through tests/run.sh, which "
                     "starts the throwaway PostgreSQL cluster";
    return "host=/nonexistent dbname=postgres";
  }
  return dsn;
}

CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) result.out.append(buf.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

ScratchDatabase::ScratchDatabase() : name_("mamori_t_" + random_suffix()) {
  const std::string base = test_dsn();
  // Concurrent CREATE DATABASE calls can collide on template1; try a few times.
  CommandResult r;
  for (int attempt = 0; attempt < 5; ++attempt) {
    r = run_command("psql " + shell_quote(base) + " -v ON_ERROR_STOP=1 -qc " +
                    shell_quote("CREATE DATABASE " + name_) + " 2>&1");
    if (r.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * (attempt + 1)));
  }
  if (r.exit_code != 0) {
    throw std::runtime_error("CREATE DATABASE " + name_ + " failed: " + r.out);
  }
  dsn_ = base + " dbname=" + name_;  // libpq: the last dbname wins
}

ScratchDatabase::~ScratchDatabase() {
  run_command("psql " + shell_quote(test_dsn()) + " -qc " +
              shell_quote("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)") +
              " >/dev/null 2>&1");
}

OwnPostgres::OwnPostgres() {
  std::string pattern = "/tmp/mamori-pg.XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  start();
}

OwnPostgres::~OwnPostgres() {
  run_command((source_dir() / "tests/support/pgcluster.sh").string() + " destroy " +
              shell_quote(dir_.string()));
}

void OwnPostgres::start() {
  const auto r = run_command((source_dir() / "tests/support/pgcluster.sh").string() + " start " +
                             shell_quote(dir_.string()));
  if (r.exit_code != 0) throw std::runtime_error("pgcluster.sh start failed");
  dsn_ = r.out.substr(0, r.out.find('\n'));
}

void OwnPostgres::stop() {
  const auto r = run_command((source_dir() / "tests/support/pgcluster.sh").string() + " stop " +
                             shell_quote(dir_.string()));
  if (r.exit_code != 0) throw std::runtime_error("pgcluster.sh stop failed");
}

ChildProcess::ChildProcess(std::vector<std::string> argv, std::filesystem::path log_file)
    : log_file_(std::move(log_file)) {
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int fd = open(log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    execv(args[0], args.data());
    _exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (!exited_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void ChildProcess::signal(int sig) const {
  if (!exited_) kill(pid_, sig);
}

std::optional<int> ChildProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  if (exited_) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string ChildProcess::log() const {
  try {
    return read_file(log_file_);
  } catch (const std::exception&) {
    return {};
  }
}

HttpResult http_get(const std::string& host, unsigned short port, const std::string& target,
                    std::chrono::milliseconds timeout) {
  return http_request("GET", host, port, target, {}, "", timeout);
}

HttpResult http_request(const std::string& method, const std::string& host, unsigned short port,
                        const std::string& target, const std::vector<std::string>& headers,
                        const std::string& body, std::chrono::milliseconds timeout) {
  HttpResult result;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return result;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  timeval tv{};
  tv.tv_sec = static_cast<long>(timeout.count() / 1000);
  tv.tv_usec = static_cast<long>((timeout.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return result;
  }
  std::string request =
      method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n";
  for (const auto& h : headers) request += h + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") {
    request +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n" + body;
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    close(fd);
    return result;
  }
  std::string response;
  std::array<char, 8192> buf{};
  ssize_t n = 0;
  while ((n = recv(fd, buf.data(), buf.size(), 0)) > 0) {
    response.append(buf.data(), static_cast<size_t>(n));
  }
  close(fd);
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return result;
  result.status = std::atoi(response.substr(9, 3).c_str());
  const auto header_end = response.find("\r\n\r\n");
  if (header_end != std::string::npos) result.body = response.substr(header_end + 4);
  return result;
}

unsigned short free_tcp_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace mamori::testing
