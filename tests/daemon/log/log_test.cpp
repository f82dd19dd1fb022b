#include "daemon/log/log.h"

#include <gtest/gtest.h>

namespace mamori::log {
namespace {

TEST(Log, FormatsKeyValuePairs) {
  const std::string line = format_line(Level::info, "db.connected", {{"attempt", 3}, {"ok", true}});
  EXPECT_NE(line.find(" level=info event=db.connected attempt=3 ok=true\n"), std::string::npos)
      << line;
  EXPECT_EQ(line.rfind("ts=", 0), 0u);
}

TEST(Log, QuotesAndEscapesValuesSoHostileTextCannotForgeLines) {
  const std::string hostile = "x\nts=2026 level=error event=forged key=\"v\"";
  const std::string line = format_line(Level::warn, "reply.seen", {{"text", hostile}});
  // Exactly one line, and the forged part stays inside the quoted value.
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  EXPECT_NE(line.find(R"(text="x\nts=2026 level=error event=forged key=\"v\"")"), std::string::npos)
      << line;
}

TEST(Log, EmptyAndControlCharactersAreVisible) {
  const std::string line =
      format_line(Level::error, "e", {{"empty", ""}, {"ctl", std::string("a\x01")}});
  EXPECT_NE(line.find(R"(empty="")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"(ctl="a\x01")"), std::string::npos) << line;
}

TEST(Log, LevelsFilter) {
  const Level before = level();
  set_level(Level::warn);
  EXPECT_FALSE(enabled(Level::info));
  EXPECT_TRUE(enabled(Level::error));
  set_level(before);
  Level parsed = Level::debug;
  EXPECT_TRUE(parse_level("warning", parsed));
  EXPECT_EQ(parsed, Level::warn);
  EXPECT_FALSE(parse_level("verbose", parsed));
}

}  // namespace
}  // namespace mamori::log
