// mamorictl lookalike: the impersonation detector on profile files (docs/design.md "mamorictl").
//   mamorictl lookalike --official A.jsonl --candidates B.jsonl [-o OUT.jsonl]
//                       [--allow ALLOW.jsonl] [--neighbour NAME]... [--now YYYY-MM-DD[THH:MM:SSZ]]
// Profiles are JSON lines {platform, handle, display_name, description, url, avatar}; avatar is a
// local image path (relative paths are resolved against the JSONL file's folder) or absent.
// Candidates may add account_id, followers_count and created_at (same format as --now) for the
// account-age and follower context. ALLOW lines are {platform, handle} or {platform, account_id},
// with "listed": true for an account the city's official account list page names.
// Output: one line per candidate {handle, matched_official, score, verdict, reasons}; verdict is
// impersonation, suspicious, related (a department, affiliated body or ward of the official's
// own body, issue 18) or benign. Other real local governments are recognised from the compiled-in
// directory of every Japanese local government; the officials' own body from their homepage URL
// or name.
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "collectors/ratelimit/clock.h"
#include "daemon/ctl/commands.h"
#include "detectors/impersonation/detector.h"

namespace mamori::ctl {
namespace {

namespace imp = detectors::impersonation;
namespace fs = std::filesystem;

// Bad input: the message names file, line and field (exit 2).
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Location {
  std::string file;
  int line = 0;
  std::string at(std::string_view field) const {
    return file + ":" + std::to_string(line) + ": field '" + std::string(field) + "': ";
  }
};

std::optional<model::TimePoint> parse_time(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  char tail = '\0';
  const std::string text(s);
  if (s.size() == 10 && std::sscanf(text.c_str(), "%4d-%2d-%2d", &y, &mo, &d) == 3) {
  } else if (s.size() == 20 &&
             std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &sec,
                         &tail) == 7 &&
             tail == 'Z') {
  } else {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(y),
                                        std::chrono::month(static_cast<unsigned>(mo)),
                                        std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  return std::chrono::time_point_cast<std::chrono::milliseconds>(
      std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
      std::chrono::seconds(sec));
}

std::string optional_string(const boost::json::object& o, std::string_view key,
                            const Location& at) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return {};
  if (!v->is_string()) throw InputError(at.at(key) + "expected a string");
  return std::string(v->as_string());
}

struct ProfileLine {
  model::ProfileSnapshot profile;
  std::optional<fs::path> avatar;
  Location where;
};

std::vector<ProfileLine> read_profiles(const std::string& file, bool candidates) {
  std::ifstream in(file);
  if (!in) throw InputError(file + ": cannot open for reading");
  std::vector<ProfileLine> out;
  std::string line;
  Location at{file, 0};
  while (std::getline(in, line)) {
    ++at.line;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(line, ec);
    if (ec) {
      throw InputError(file + ":" + std::to_string(at.line) + ": not valid JSON (" + ec.message() +
                       ")");
    }
    if (!v.is_object()) {
      throw InputError(file + ":" + std::to_string(at.line) + ": expected a JSON object per line");
    }
    const auto& o = v.as_object();
    ProfileLine p;
    p.where = at;
    const std::string platform = optional_string(o, "platform", at);
    const auto parsed = model::platform_from_string(platform);
    if (!parsed) throw InputError(at.at("platform") + "expected one of x, bluesky, mastodon");
    p.profile.platform = *parsed;
    p.profile.handle = optional_string(o, "handle", at);
    if (p.profile.handle.empty()) throw InputError(at.at("handle") + "expected a non-empty string");
    p.profile.display_name = optional_string(o, "display_name", at);
    p.profile.description = optional_string(o, "description", at);
    p.profile.url = optional_string(o, "url", at);
    p.profile.account_id = optional_string(o, "account_id", at);
    const std::string avatar = optional_string(o, "avatar", at);
    if (!avatar.empty()) {
      fs::path path(avatar);
      if (path.is_relative()) path = fs::path(file).parent_path() / path;
      p.avatar = path;
    }
    if (candidates) {
      if (const auto* f = o.if_contains("followers_count"); f && !f->is_null()) {
        if (!f->is_int64() || f->as_int64() < 0) {
          throw InputError(at.at("followers_count") + "expected a non-negative integer");
        }
        p.profile.followers_count = f->as_int64();
      }
      const std::string created = optional_string(o, "created_at", at);
      if (!created.empty()) {
        p.profile.created_at = parse_time(created);
        if (!p.profile.created_at) {
          throw InputError(at.at("created_at") + "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
        }
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

// Reads at most limits.max_bytes + 1 bytes: a larger file is refused by the hasher unread.
std::vector<std::uint8_t> read_image(const ProfileLine& p, const imp::DecodeLimits& limits) {
  std::error_code ec;
  const auto size = fs::file_size(*p.avatar, ec);
  if (ec) {
    throw InputError(p.where.at("avatar") + "cannot read " + p.avatar->string() + " (" +
                     ec.message() + ")");
  }
  std::ifstream in(*p.avatar, std::ios::binary);
  if (!in) throw InputError(p.where.at("avatar") + "cannot open " + p.avatar->string());
  std::vector<std::uint8_t> bytes(
      static_cast<std::size_t>(std::min<std::uintmax_t>(size, limits.max_bytes + 1)));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

std::vector<imp::AllowedAccount> read_allow(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw InputError(file + ": cannot open for reading");
  std::vector<imp::AllowedAccount> out;
  std::string line;
  Location at{file, 0};
  while (std::getline(in, line)) {
    ++at.line;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(line, ec);
    if (ec || !v.is_object()) {
      throw InputError(file + ":" + std::to_string(at.line) + ": expected a JSON object per line");
    }
    const auto& o = v.as_object();
    const auto platform = model::platform_from_string(optional_string(o, "platform", at));
    if (!platform) throw InputError(at.at("platform") + "expected one of x, bluesky, mastodon");
    imp::AllowedAccount a{*platform, optional_string(o, "handle", at),
                          optional_string(o, "account_id", at)};
    if (const auto* listed = o.if_contains("listed"); listed && !listed->is_null()) {
      if (!listed->is_bool()) throw InputError(at.at("listed") + "expected true or false");
      a.listed = listed->as_bool();
    }
    if (a.handle.empty() && a.account_id.empty()) {
      throw InputError(at.at("handle") + "expected a handle or an account_id");
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::string json_string(std::string_view s) {
  return boost::json::serialize(boost::json::string(s));
}

int usage() {
  std::fprintf(
      stderr,
      "usage: mamorictl lookalike --official A.jsonl --candidates B.jsonl [-o OUT.jsonl]\n"
      "                           [--allow ALLOW.jsonl] [--neighbour NAME]... [--now DATE]\n");
  return 2;
}

}  // namespace

int lookalike_command(const Args& args) {
  std::string official_file, candidate_file, out_file, allow_file;
  std::vector<std::string> neighbours;
  model::TimePoint now = collectors::SystemClock().now();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (!has_value) return usage();
    const std::string& value = args[++i];
    if (a == "--official") {
      official_file = value;
    } else if (a == "--candidates") {
      candidate_file = value;
    } else if (a == "-o" || a == "--output") {
      out_file = value;
    } else if (a == "--allow") {
      allow_file = value;
    } else if (a == "--neighbour" || a == "--neighbor") {
      neighbours.push_back(value);
    } else if (a == "--now") {
      const auto t = parse_time(value);
      if (!t) {
        std::fprintf(
            stderr,
            "mamorictl lookalike: --now: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, got '%s'\n",
            value.c_str());
        return 2;
      }
      now = *t;
    } else {
      return usage();
    }
  }
  if (official_file.empty() || candidate_file.empty()) return usage();

  const imp::DecodeLimits limits;
  std::vector<imp::OfficialAccount> officials;
  std::vector<ProfileLine> candidates;
  std::vector<imp::AllowedAccount> allow;
  try {
    for (auto& p : read_profiles(official_file, false)) {
      imp::OfficialAccount o;
      o.profile = std::move(p.profile);
      if (p.avatar) {
        const auto bytes = read_image(p, limits);
        auto hash = imp::compute_official_avatar_hash(bytes, limits);
        if (!hash.ok()) {
          throw InputError(p.where.at("avatar") + p.avatar->string() + ": " + hash.message);
        }
        o.avatar = std::move(hash.hash);
      }
      officials.push_back(std::move(o));
    }
    if (officials.empty()) throw InputError(official_file + ": no official profiles");
    candidates = read_profiles(candidate_file, true);
    if (!allow_file.empty()) allow = read_allow(allow_file);
  } catch (const InputError& e) {
    std::fprintf(stderr, "mamorictl lookalike: %s\n", e.what());
    return 2;
  }

  imp::MunicipalityNames names;
  names.neighbours = neighbours;
  const imp::ImpersonationDetector detector(names, std::move(officials), std::move(allow));

  // Every candidate avatar is read before any output, so bad input never leaves half a file.
  std::vector<std::optional<imp::AvatarHash>> avatars(candidates.size());
  std::vector<std::string> avatar_notes(candidates.size());
  try {
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (!candidates[i].avatar) continue;
      const auto bytes = read_image(candidates[i], limits);
      auto hash = imp::compute_avatar_hash(bytes, limits);
      if (hash.ok()) {
        avatars[i] = hash.hash;
      } else {
        // An image the detector refuses (GIF, a decompression bomb) is a fact about the image,
        // not bad input: score without it and say so.
        avatar_notes[i] = "アイコン画像を照合できず (" + hash.message + ")";
      }
    }
  } catch (const InputError& e) {
    std::fprintf(stderr, "mamorictl lookalike: %s\n", e.what());
    return 2;
  }

  std::FILE* out = stdout;
  if (!out_file.empty()) {
    out = std::fopen(out_file.c_str(), "w");
    if (out == nullptr) {
      std::fprintf(stderr, "mamorictl lookalike: %s: cannot open for writing\n", out_file.c_str());
      return 1;
    }
  }
  for (std::size_t n = 0; n < candidates.size(); ++n) {
    const ProfileLine& c = candidates[n];
    const auto& avatar = avatars[n];
    const std::string& avatar_note = avatar_notes[n];
    imp::Assessment a = detector.assess(c.profile, avatar ? &*avatar : nullptr, now);
    if (!avatar_note.empty()) a.reasons.push_back(avatar_note);
    std::ostringstream line;
    char score[16];
    std::snprintf(score, sizeof score, "%.3f", a.score);
    line << "{\"handle\":" << json_string(c.profile.handle) << ",\"matched_official\":"
         << (a.matched_handle.empty() ? "null" : json_string(a.matched_handle))
         << ",\"score\":" << score << ",\"verdict\":\"" << imp::to_string(a.verdict)
         << "\",\"reasons\":[";
    for (std::size_t i = 0; i < a.reasons.size(); ++i) {
      line << (i ? "," : "") << json_string(a.reasons[i]);
    }
    line << "]}\n";
    const std::string text = line.str();
    std::fwrite(text.data(), 1, text.size(), out);
  }
  if (out != stdout && std::fclose(out) != 0) {
    std::fprintf(stderr, "mamorictl lookalike: %s: write failed\n", out_file.c_str());
    return 1;
  }
  return 0;
}

}  // namespace mamori::ctl
