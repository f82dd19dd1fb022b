#include "playbooks/engine/clauses.h"

#include <gtest/gtest.h>

#include <set>

namespace mamori::playbooks {
namespace {

TEST(Clauses, CatalogueHasUniqueIdsInKnownFiles) {
  std::set<std::string> seen;
  std::set<std::string_view> files(guideline_files().begin(), guideline_files().end());
  for (const auto& c : clause_catalogue()) {
    EXPECT_TRUE(files.contains(c.file)) << c.file;
    EXPECT_TRUE(seen.insert(std::string(c.file) + " " + std::string(c.id)).second) << c.id;
    EXPECT_FALSE(c.heading.empty()) << c.id;
    EXPECT_FALSE(c.text.empty()) << c.id;
  }
  EXPECT_GT(seen.size(), 150u);
}

TEST(Clauses, TheClausesTheGuidelineReadmeNamesExist) {
  const std::pair<const char*, const char*> named[] = {
      {"soma-city.txt", "第7-1"},   {"soma-city.txt", "第7-2"},    {"soma-city.txt", "第7-3"},
      {"soma-city.txt", "3(3)"},    {"soma-city.txt", "3(4)"},     {"soma-city.txt", "4(1)"},
      {"soma-city.txt", "4(2)"},    {"soma-city.txt", "第6-3(3)"}, {"special-ward.txt", "5(5)"},
      {"special-ward.txt", "5(2)"}, {"special-ward.txt", "5(3)"},  {"special-ward.txt", "5(4)"},
      {"special-ward.txt", "5(6)"}, {"hokkaido.txt", "3(4)"},      {"hokkaido.txt", "4(6)"},
      {"hokkaido.txt", "5(1)"},     {"hokkaido.txt", "5(2)"},      {"hokkaido.txt", "5(3)"},
      {"ube-city.txt", "6(1)"},     {"ube-city.txt", "6(5)"},      {"shiroi-city.txt", "2(3)②"},
      {"shiroi-city.txt", "4(2)"},  {"shiroi-city.txt", "4(3)"},   {"shiroi-city.txt", "4(4)"},
      {"shiroi-city.txt", "4(5)"},
  };
  for (const auto& [file, id] : named)
    EXPECT_NE(find_clause(file, id), nullptr) << file << " " << id;
  // Clause texts are the guidelines' own words.
  EXPECT_NE(std::string(find_clause("soma-city.txt", "第6-3(3)")->text).find("返信は行わない"),
            std::string::npos);
  EXPECT_NE(std::string(find_clause("ube-city.txt", "6(5)")->text).find("警察へ連絡"),
            std::string::npos);
  // Items that do not exist in the texts are not invented.
  EXPECT_EQ(find_clause("soma-city.txt", "第7-4"), nullptr);
  EXPECT_EQ(find_clause("ube-city.txt", "6(6)"), nullptr);
  EXPECT_EQ(find_clause("hokkaido.txt", "5(4)"), nullptr);
  EXPECT_EQ(find_clause("shiroi-city.txt", "4(6)"), nullptr);
}

TEST(Clauses, ParseCitation) {
  auto c = parse_citation("soma-city.txt 第7-2");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->file, "soma-city.txt");
  EXPECT_EQ(c->clause, "第7-2");
  c = parse_citation("soma-city.txt\u3000第７－１（２）");  // full-width forms are folded
  ASSERT_TRUE(c);
  EXPECT_EQ(c->clause, "第7-1(2)");
  c = parse_citation("ube-city.txt 6 (3)");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->clause, "6(3)");
  std::string error;
  EXPECT_FALSE(parse_citation("soma-city.txt", &error));
  EXPECT_NE(error.find("例"), std::string::npos);
  EXPECT_FALSE(parse_citation("soma.txt 第7-2", &error));
  EXPECT_NE(error.find("soma-city.txt"), std::string::npos) << error;
  EXPECT_FALSE(parse_citation("ube-city.txt 6(9)", &error));
  EXPECT_NE(error.find("6(1)"), std::string::npos) << error;
  EXPECT_FALSE(parse_citation("ube-city.txt ", &error));
}

}  // namespace
}  // namespace mamori::playbooks
