// The clauses of the five source guidelines that playbook steps may cite, compiled in (the
// daemon must not read the guideline files at run time). Transcribed from the guideline texts;
// `text` is the clause's wording (abridged where long) for the console to show as 根拠.
// Clause ids follow each file's own numbering: "第7-2" and "3(3)" (soma-city.txt, whose account
// section lost its headings), "5(1)" (hokkaido.txt), "4(2)" (shiroi-city.txt),
// "5(5)ア" (special-ward.txt), "6(1)" (ube-city.txt). A parent ("第7-1", "6") may be cited for
// the whole of its items.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "playbooks/engine/playbook.h"

namespace mamori::playbooks {

struct Clause {
  std::string_view file;     // "soma-city.txt"
  std::string_view id;       // "第7-2"
  std::string_view heading;  // "成りすましが発生した場合"
  std::string_view text;
};

std::span<const Clause> clause_catalogue();
std::span<const std::string_view> guideline_files();
const Clause* find_clause(std::string_view file, std::string_view id);

// Parses "soma-city.txt 第7-2" (one space, or an ideographic space, between file and clause).
// Full-width digits, parentheses and hyphens in the clause are folded to ASCII first, so
// "第７－２" is read as "第7-2". On failure returns nullopt with a Japanese `error`
// (unknown file, unknown clause with the nearest known ones).
std::optional<ClauseRef> parse_citation(std::string_view citation, std::string* error = nullptr);

}  // namespace mamori::playbooks
