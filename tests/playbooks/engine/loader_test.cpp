// Broken playbook files give precise diagnostics (code, file, line, column, key); overrides
// merge as documented; the set is null whenever there is an error.
#include "playbooks/engine/loader.h"

#include <gtest/gtest.h>

#include "tests/playbooks/engine/fixtures.h"
#include "tests/support/test_support.h"

namespace mamori::playbooks {
namespace {

using testing::find_code;
using testing::minimal_sources;
using testing::put_playbook;
using testing::put_template;

// A flame-up playbook text with `extra` appended to its single step's table.
std::string flameup_with(const std::string& step_body) {
  return "type = \"flameup\"\n"           // 1
         "title = \"炎上\"\n"             // 2
         "[[steps]]\n"                    // 3
         "id = \"first\"\n"               // 4
         "title = \"最初\"\n"             // 5
         "role = \"当番\"\n"              // 6
         "instructions = \"やること\"\n"  // 7
         + step_body;                     // 8…
}

LoadResult load_with_flameup(const std::string& text) {
  auto s = minimal_sources();
  put_playbook(s, "pb/flameup.toml", text);
  return load_sources(s);
}

void expect_at(const LoadResult& r, DiagnosticCode code, int line, int column,
               const std::string& key = "") {
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.set, nullptr);
  const Diagnostic* d = find_code(r, code);
  ASSERT_NE(d, nullptr) << "no " << to_string(code) << " in:\n" << r.text();
  EXPECT_EQ(d->file, "pb/flameup.toml");
  EXPECT_EQ(d->line, line) << d->text();
  EXPECT_EQ(d->column, column) << d->text();
  if (!key.empty()) {
    EXPECT_EQ(d->key, key) << d->text();
  }
  EXPECT_FALSE(d->message.empty());
}

TEST(Loader, MinimalSourcesAreValid) {
  const auto r = load_sources(minimal_sources());
  ASSERT_TRUE(r.ok()) << r.text();
  EXPECT_EQ(r.set->playbooks.size(), 7u);
  const Step& s = r.set->find(IncidentType::flameup)->steps.at(0);
  EXPECT_EQ(s.id, "first");
  EXPECT_EQ(s.due->anchor, DueAnchor::open);
  EXPECT_EQ(s.due->after, std::chrono::minutes(30));
  EXPECT_EQ(s.clauses.at(0).text(), "soma-city.txt 第7-2");
  EXPECT_EQ(s.defined_at.line, 3);
}

TEST(Loader, TomlSyntaxErrorHasItsLine) {
  const auto r =
      load_with_flameup(flameup_with("clauses = [\"soma-city.txt 第7-2\"\n"
                                     "due = \"open+1h\"\n"));
  const Diagnostic* d = find_code(r, DiagnosticCode::toml_syntax);
  ASSERT_NE(d, nullptr) << r.text();
  EXPECT_EQ(d->file, "pb/flameup.toml");
  EXPECT_GE(d->line, 8);
  EXPECT_LE(d->line, 9);
  EXPECT_EQ(r.set, nullptr);
}

TEST(Loader, UnknownKeyPointsAtTheKey) {
  const auto r =
      load_with_flameup(flameup_with("clauses = [\"soma-city.txt 第7-2\"]\n"
                                     "  instruction = \"typo\"\n"));
  expect_at(r, DiagnosticCode::unknown_key, 9, 3, "steps[0].instruction");
}

TEST(Loader, MissingFieldNamesTheStepTable) {
  const auto r = load_with_flameup(
      "type = \"flameup\"\ntitle = \"炎上\"\n[[steps]]\nid = \"a\"\n"
      "title = \"t\"\nrole = \"当番\"\n"
      "clauses = [\"soma-city.txt 第7-1(1)\"]\n");
  expect_at(r, DiagnosticCode::missing_field, 3, 1, "steps[0].instructions");
}

TEST(Loader, UnknownClauseSuggestsNearOnes) {
  const auto r = load_with_flameup(
      flameup_with("clauses = [\"soma-city.txt 第7-1(1)\", \"soma-city.txt 第7-4\"]\n"));
  expect_at(r, DiagnosticCode::unknown_clause, 8, 37, "steps[0].clauses[1]");
  const Diagnostic* d = find_code(r, DiagnosticCode::unknown_clause);
  EXPECT_NE(d->message.find("第7-2"), std::string::npos) << d->message;
}

TEST(Loader, UnknownGuidelineFile) {
  const auto r = load_with_flameup(flameup_with("clauses = [\"tokyo.txt 1\"]\n"));
  expect_at(r, DiagnosticCode::unknown_clause, 8, 12, "steps[0].clauses[0]");
}

TEST(Loader, EmptyClauseListIsMissing) {
  const auto r = load_with_flameup(flameup_with("clauses = []\n"));
  expect_at(r, DiagnosticCode::missing_field, 8, 11, "steps[0].clauses");
}

TEST(Loader, DependencyCycleNamesThePath) {
  const std::string text =
      "type = \"flameup\"\ntitle = \"炎上\"\n"                                         // 1-2
      "[[steps]]\nid = \"a\"\ntitle = \"A\"\nrole = \"当番\"\ninstructions = \"x\"\n"  // 3-7
      "clauses = [\"soma-city.txt 第7-1\"]\ndepends_on = [\"c\"]\n"                    // 8-9
      "[[steps]]\nid = \"b\"\ntitle = \"B\"\nrole = \"当番\"\ninstructions = \"x\"\n"  // 10-14
      "clauses = [\"soma-city.txt 第7-1\"]\ndepends_on = [\"a\"]\n"                    // 15-16
      "[[steps]]\nid = \"c\"\ntitle = \"C\"\nrole = \"当番\"\ninstructions = \"x\"\n"  // 17-21
      "clauses = [\"soma-city.txt 第7-1\"]\ndepends_on = [\"b\"]\n";                   // 22-23
  const auto r = load_with_flameup(text);
  const Diagnostic* d = find_code(r, DiagnosticCode::dependency_cycle);
  ASSERT_NE(d, nullptr) << r.text();
  // Reported at the edge that closes the cycle: b depends on a.
  EXPECT_EQ(d->line, 16) << d->text();
  EXPECT_EQ(d->column, 15);
  EXPECT_EQ(d->key, "steps[1].depends_on[0]");
  EXPECT_NE(d->message.find("a → c → b → a"), std::string::npos) << d->message;
  EXPECT_EQ(r.error_count(), 1u) << r.text();  // one cycle, one report
}

TEST(Loader, SelfDependencyIsACycle) {
  const auto r = load_with_flameup(
      flameup_with("clauses = [\"soma-city.txt 第7-1\"]\ndepends_on = [\"first\"]\n"));
  expect_at(r, DiagnosticCode::dependency_cycle, 9, 15, "steps[0].depends_on[0]");
}

TEST(Loader, UnknownDependency) {
  const auto r = load_with_flameup(
      flameup_with("clauses = [\"soma-city.txt 第7-1\"]\ndepends_on = [\"nope\"]\n"));
  expect_at(r, DiagnosticCode::unknown_dependency, 9, 15, "steps[0].depends_on[0]");
}

TEST(Loader, BadDurations) {
  for (const char* due :
       {"open+30x", "open+", "soon+1h", "open+0m", "open+30m1h", "1h", "open+9999999h"}) {
    const auto r = load_with_flameup(
        flameup_with(std::string("clauses = [\"soma-city.txt 第7-1\"]\ndue = \"") + due + "\"\n"));
    SCOPED_TRACE(due);
    expect_at(r, DiagnosticCode::bad_duration, 9, 7, "steps[0].due");
  }
}

TEST(Loader, BadCheckParameters) {
  struct Case {
    const char* check;
    DiagnosticCode code;
    int line;
    int column;
    const char* key;
  };
  const Case cases[] = {
      {"kind = \"telepathy\"\n", DiagnosticCode::bad_check, 10, 8, "steps[0].check.kind"},
      {"pattern = \"訂正\"\n", DiagnosticCode::bad_check, 9, 1, "steps[0].check.kind"},
      {"kind = \"official_post_since_open\"\n", DiagnosticCode::bad_check, 9, 1,
       "steps[0].check.pattern"},
      {"kind = \"official_post_since_open\"\npattern = \"訂正||お詫び\"\n",
       DiagnosticCode::bad_check, 11, 11, "steps[0].check.pattern"},
      {"kind = \"homepage_contains\"\nurl = \"ftp://x\"\ntext = \"a\"\n", DiagnosticCode::bad_check,
       11, 7, "steps[0].check.url"},
      {"kind = \"homepage_contains\"\nurl = \"{{no_such}}\"\ntext = \"a\"\n",
       DiagnosticCode::bad_check, 11, 7, "steps[0].check.url"},
      {"kind = \"homepage_contains\"\nurl = \"https://a.example/\"\n", DiagnosticCode::bad_check, 9,
       1, "steps[0].check.text"},
      {"kind = \"elapsed\"\n", DiagnosticCode::bad_check, 9, 1, "steps[0].check.duration"},
      {"kind = \"elapsed\"\nduration = \"3 days\"\n", DiagnosticCode::bad_duration, 11, 12,
       "steps[0].check.duration"},
      {"kind = \"elapsed\"\nduration = \"1d\"\nfrom = \"close\"\n", DiagnosticCode::bad_check, 12,
       8, "steps[0].check.from"},
      {"kind = \"rate_back_to_baseline\"\nmax_ratio = 0.5\n", DiagnosticCode::bad_check, 11, 13,
       "steps[0].check.max_ratio"},
      {"kind = \"subject_gone\"\npattern = \"x\"\n", DiagnosticCode::bad_check, 11, 1,
       "steps[0].check.pattern"},
      {"kind = \"subject_gone\"\npatern = \"x\"\n", DiagnosticCode::unknown_key, 11, 1,
       "steps[0].check.patern"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.check);
    const auto r = load_with_flameup(flameup_with(
        std::string("clauses = [\"soma-city.txt 第7-1\"]\n[steps.check]\n") + c.check));
    expect_at(r, c.code, c.line, c.column, c.key);
  }
}

TEST(Loader, ValidChecksAreRead) {
  const auto r = load_with_flameup(flameup_with(
      "clauses = [\"soma-city.txt 第7-1\"]\n[steps.check]\nkind = \"rate_back_to_baseline\"\n"
      "max_ratio = 2\nsustain = \"1h30m\"\n"));
  ASSERT_TRUE(r.ok()) << r.text();
  const Check& c = *r.set->find(IncidentType::flameup)->steps[0].check;
  EXPECT_EQ(c.kind, CheckKind::rate_back_to_baseline);
  EXPECT_DOUBLE_EQ(c.max_ratio, 2.0);
  EXPECT_EQ(c.sustain, std::chrono::minutes(90));
}

TEST(Loader, UnknownRoleAndTemplateAndRequirementRules) {
  auto r = load_with_flameup(
      "type = \"flameup\"\ntitle = \"炎上\"\n[[steps]]\nid = \"a\"\n"
      "title = \"t\"\nrole = \"市長\"\ninstructions = \"x\"\n"
      "clauses = [\"soma-city.txt 第7-1\"]\n");
  expect_at(r, DiagnosticCode::unknown_role, 6, 8, "steps[0].role");
  r = load_with_flameup(
      flameup_with("clauses = [\"soma-city.txt 第7-1\"]\ndocuments = [\"notice\", \"apology\"]\n"));
  expect_at(r, DiagnosticCode::unknown_template, 9, 24, "steps[0].documents[1]");
  r = load_with_flameup(
      flameup_with("clauses = [\"soma-city.txt 第7-1\"]\nrequirement = \"conditional\"\n"));
  expect_at(r, DiagnosticCode::missing_field, 3, 1, "steps[0].condition");
  r =
      load_with_flameup(flameup_with("clauses = [\"soma-city.txt 第7-1\"]\n[steps.condition]\n"
                                     "min_severity = \"high\"\n"));
  expect_at(r, DiagnosticCode::invalid_value, 3, 1, "steps[0].condition");
  r =
      load_with_flameup(flameup_with("clauses = [\"soma-city.txt 第7-1\"]\n"
                                     "requirement = \"conditional\"\n[steps.condition]\n"
                                     "min_severity = \"severe\"\n"));
  expect_at(r, DiagnosticCode::invalid_value, 11, 16, "steps[0].condition.min_severity");
}

TEST(Loader, InvalidIdAndDuplicateStep) {
  auto r = load_with_flameup(
      "type = \"flameup\"\ntitle = \"炎上\"\n[[steps]]\nid = \"Bad-Id\"\n"
      "title = \"t\"\nrole = \"当番\"\ninstructions = \"x\"\n"
      "clauses = [\"soma-city.txt 第7-1\"]\n");
  expect_at(r, DiagnosticCode::invalid_id, 4, 6, "steps[0].id");
  const std::string step =
      "[[steps]]\nid = \"a\"\ntitle = \"t\"\nrole = \"当番\"\ninstructions = \"x\"\n"
      "clauses = [\"soma-city.txt 第7-1\"]\n";
  r = load_with_flameup("type = \"flameup\"\ntitle = \"炎上\"\n" + step + step);
  expect_at(r, DiagnosticCode::duplicate_step, 9, 1, "steps[1].id");
  EXPECT_NE(find_code(r, DiagnosticCode::duplicate_step)->message.find("pb/flameup.toml:3"),
            std::string::npos);
}

TEST(Loader, PlaybookLevelErrors) {
  auto s = minimal_sources();
  s.playbooks.erase(s.playbooks.begin() + 5);  // threat
  auto r = load_sources(s);
  const Diagnostic* d = find_code(r, DiagnosticCode::missing_playbook);
  ASSERT_NE(d, nullptr);
  EXPECT_NE(d->message.find("threat"), std::string::npos);

  s = minimal_sources();
  put_playbook(s, "pb/zz_second.toml", s.playbooks[0].text);
  r = load_sources(s);
  d = find_code(r, DiagnosticCode::duplicate_playbook);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->file, "pb/zz_second.toml");
  EXPECT_EQ(d->line, 1);

  r = load_with_flameup("type = \"fire\"\ntitle = \"x\"\n");
  expect_at(r, DiagnosticCode::unknown_incident_type, 1, 8, "type");

  r = load_with_flameup("type = \"flameup\"\ntitle = \"x\"\nsteps = 3\n");
  expect_at(r, DiagnosticCode::wrong_type, 3, 9, "steps");

  // Keys only overrides may use.
  r = load_with_flameup(
      flameup_with("clauses = [\"soma-city.txt 第7-1\"]\noverride = \"merge\"\n"));
  expect_at(r, DiagnosticCode::invalid_value, 9, 1, "steps[0].override");
}

TEST(Loader, TemplateErrorsMapToFileLines) {
  auto s = minimal_sources();
  put_template(s, "pb/templates/notice.toml",
               "title = \"お知らせ\"\n"             // 1
               "body = \"\"\"\n"                    // 2
               "{{municipality}}のお知らせ\n"       // 3
               "{{#evidence}}{{label}} {{nmae}}\n"  // 4
               "{{/evidence}}\n"                    // 5
               "\"\"\"\n");
  auto r = load_sources(s);
  const Diagnostic* d = find_code(r, DiagnosticCode::template_variable);
  ASSERT_NE(d, nullptr) << r.text();
  EXPECT_EQ(d->file, "pb/templates/notice.toml");
  EXPECT_EQ(d->line, 4);
  EXPECT_EQ(d->column, 24);
  EXPECT_EQ(d->key, "body");
  // A step naming the broken template is not reported a second time as unknown.
  EXPECT_EQ(find_code(r, DiagnosticCode::unknown_template), nullptr);

  put_template(s, "pb/templates/notice.toml",
               "title = \"お知らせ\"\nbody = \"前文 {{#has_evidence}}本文\"\n");
  r = load_sources(s);
  d = find_code(r, DiagnosticCode::template_syntax);
  ASSERT_NE(d, nullptr) << r.text();
  EXPECT_EQ(d->line, 2);
  EXPECT_EQ(d->column, 12);

  put_template(s, "pb/templates/notice.toml",
               "title = \"お知らせ\"\nbody = \"x\"\n[variants.twitter]\nlimit = \"x_post\"\n");
  r = load_sources(s);
  d = find_code(r, DiagnosticCode::unknown_key);
  ASSERT_NE(d, nullptr) << r.text();
  EXPECT_EQ(d->line, 3);

  put_template(s, "pb/templates/notice.toml", "title = \"x\"\nbody = \"x\"\nlimit = \"tweet\"\n");
  r = load_sources(s);
  ASSERT_NE(find_code(r, DiagnosticCode::invalid_value), nullptr) << r.text();
  EXPECT_EQ(find_code(r, DiagnosticCode::invalid_value)->line, 3);
}

TEST(Loader, DiagnosticTextIsFileLineColumnMessage) {
  const auto r = load_with_flameup(
      flameup_with("clauses = [\"soma-city.txt 第7-1\"]\ndepends_on = [\"nope\"]\n"));
  ASSERT_EQ(r.diagnostics.size(), 1u) << r.text();
  EXPECT_TRUE(r.diagnostics[0].text().starts_with(
      "pb/flameup.toml:9:15: error[unknown_dependency]: steps[0].depends_on[0]: "))
      << r.diagnostics[0].text();
}

TEST(Loader, ArbitraryJunkNeverLoads) {
  for (const char* junk : {"", "\xff\xfe\x00", "[[steps]]\n[[steps]]\n", "type = 1\n",
                           "type = \"flameup\"\n[[steps]]\nid = 3\nclauses = [1, 2]\n",
                           "a = {b = {c = {d = {}}}}\n"}) {
    const auto r = load_with_flameup(junk);
    EXPECT_FALSE(r.ok());
    EXPECT_GT(r.error_count(), 0u);
  }
}

// --- overrides ----------------------------------------------------------------------------------

PlaybookSources city(const std::string& file, const std::string& text) {
  PlaybookSources c;
  c.directory = "city";
  c.playbooks.push_back({"city/" + file, text});
  return c;
}

PlaybookSources three_step_defaults() {
  auto s = minimal_sources();
  put_playbook(
      s, "pb/flameup.toml",
      "type = \"flameup\"\ntitle = \"炎上\"\n"
      "[[steps]]\nid = \"a\"\ntitle = \"A\"\nrole = \"当番\"\ninstructions = \"x\"\n"
      "clauses = [\"soma-city.txt 第7-1(1)\"]\ndue = \"open+15m\"\n"
      "[[steps]]\nid = \"b\"\ntitle = \"B\"\nrole = \"広報担当\"\ninstructions = \"y\"\n"
      "clauses = [\"soma-city.txt 第7-1(2)\"]\ndepends_on = [\"a\"]\ndocuments = [\"notice\"]\n"
      "[[steps]]\nid = \"c\"\ntitle = \"C\"\nrole = \"広報担当\"\ninstructions = \"z\"\n"
      "clauses = [\"soma-city.txt 第7-1(3)\"]\ndepends_on = [\"b\"]\n");
  return s;
}

TEST(Overrides, MergeReplacesOnlyTheGivenFields) {
  const auto r =
      load_sources(three_step_defaults(), {city("flameup.toml",
                                                "type = \"flameup\"\n[[steps]]\nid = \"b\"\n"
                                                "override = \"merge\"\nrole = \"所属長\"\n")});
  ASSERT_TRUE(r.ok()) << r.text();
  const Step* b = r.set->find(IncidentType::flameup)->find("b");
  EXPECT_EQ(b->role, "所属長");
  EXPECT_EQ(b->title, "B");
  EXPECT_EQ(b->documents, std::vector<std::string>{"notice"});
  EXPECT_EQ(b->defined_at.file, "city/flameup.toml");
  EXPECT_EQ(r.set->find(IncidentType::flameup)->sources,
            (std::vector<std::string>{"pb/flameup.toml", "city/flameup.toml"}));
}

TEST(Overrides, ReplaceNeedsAWholeStep) {
  auto r =
      load_sources(three_step_defaults(), {city("flameup.toml",
                                                "type = \"flameup\"\n[[steps]]\nid = \"b\"\n"
                                                "override = \"replace\"\nrole = \"所属長\"\n")});
  const Diagnostic* d = find_code(r, DiagnosticCode::missing_field);
  ASSERT_NE(d, nullptr) << r.text();
  EXPECT_EQ(d->file, "city/flameup.toml");
  r = load_sources(three_step_defaults(),
                   {city("flameup.toml",
                         "type = \"flameup\"\n[[steps]]\nid = \"b\"\noverride = \"replace\"\n"
                         "title = \"新B\"\nrole = \"所属長\"\ninstructions = \"新\"\n"
                         "clauses = [\"hokkaido.txt 5(3)\"]\n")});
  ASSERT_TRUE(r.ok()) << r.text();
  const Step* b = r.set->find(IncidentType::flameup)->find("b");
  EXPECT_EQ(b->title, "新B");
  EXPECT_TRUE(b->documents.empty());
  EXPECT_TRUE(b->depends_on.empty());
}

TEST(Overrides, SameIdWithoutOverrideIsAnError) {
  const auto r = load_sources(
      three_step_defaults(),
      {city("flameup.toml",
            "type = \"flameup\"\n[[steps]]\nid = \"b\"\ntitle = \"B2\"\n"
            "role = \"当番\"\ninstructions = \"x\"\nclauses = [\"hokkaido.txt 5(3)\"]\n")});
  const Diagnostic* d = find_code(r, DiagnosticCode::duplicate_step);
  ASSERT_NE(d, nullptr) << r.text();
  EXPECT_EQ(d->file, "city/flameup.toml");
  EXPECT_EQ(d->line, 2);
  EXPECT_NE(d->message.find("override"), std::string::npos);
}

TEST(Overrides, AddInsertAfterAndRemoveWithRelinking) {
  const auto r = load_sources(
      three_step_defaults(),
      {city("flameup.toml",
            "type = \"flameup\"\n"
            "[[remove]]\nstep = \"b\"\nclauses = [\"soma-city.txt 第6-3(3)\"]\nreason = "
            "\"返信しない\"\n"
            "[[steps]]\nid = \"n\"\ntitle = \"N\"\nrole = \"当番\"\ninstructions = \"x\"\n"
            "clauses = [\"soma-city.txt 第9\"]\ninsert_after = \"a\"\n")});
  ASSERT_TRUE(r.ok()) << r.text();
  const auto& pb = *r.set->find(IncidentType::flameup);
  ASSERT_EQ(pb.steps.size(), 3u);
  EXPECT_EQ(pb.steps[0].id, "a");
  EXPECT_EQ(pb.steps[1].id, "n");
  EXPECT_EQ(pb.steps[2].id, "c");
  // c waited for b; it now waits for what b waited for.
  EXPECT_EQ(pb.steps[2].depends_on, std::vector<std::string>{"a"});
  const Diagnostic* w = find_code(r, DiagnosticCode::removed_dependency);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->level, DiagnosticLevel::warning);
  EXPECT_EQ(w->line, 2);
}

TEST(Overrides, RemovalMustCiteAClauseAndNameAStep) {
  auto r = load_sources(three_step_defaults(),
                        {city("flameup.toml", "type = \"flameup\"\n[[remove]]\nstep = \"b\"\n")});
  EXPECT_NE(find_code(r, DiagnosticCode::missing_field), nullptr) << r.text();
  r = load_sources(three_step_defaults(),
                   {city("flameup.toml",
                         "type = \"flameup\"\n[[remove]]\nstep = \"zz\"\n"
                         "clauses = [\"soma-city.txt 第6-3(3)\"]\nreason = \"r\"\n")});
  const Diagnostic* d = find_code(r, DiagnosticCode::override_unknown_step);
  ASSERT_NE(d, nullptr) << r.text();
  EXPECT_EQ(d->line, 2);
  r = load_sources(three_step_defaults(), {city("flameup.toml",
                                                "type = \"flameup\"\n[[steps]]\nid = \"zz\"\n"
                                                "override = \"merge\"\nrole = \"当番\"\n")});
  EXPECT_NE(find_code(r, DiagnosticCode::override_unknown_step), nullptr) << r.text();
}

TEST(Overrides, MergedSetIsValidatedAsAWhole) {
  // The override makes a cycle only together with the defaults.
  const auto r =
      load_sources(three_step_defaults(),
                   {city("flameup.toml",
                         "type = \"flameup\"\n[[steps]]\nid = \"a\"\noverride = \"merge\"\n"
                         "depends_on = [\"c\"]\n")});
  const Diagnostic* d = find_code(r, DiagnosticCode::dependency_cycle);
  ASSERT_NE(d, nullptr) << r.text();
  EXPECT_EQ(d->file, "city/flameup.toml");
  EXPECT_EQ(d->line, 5);
}

TEST(Overrides, ExtraRolesAndTemplateReplacement) {
  auto c = city("flameup.toml",
                "type = \"flameup\"\nroles = [\"秘書広報課長\"]\n[[steps]]\n"
                "id = \"b\"\noverride = \"merge\"\nrole = \"秘書広報課長\"\n");
  c.templates.push_back({"city/templates/notice.toml",
                         "title = \"市のお知らせ\"\nbody = \"{{municipality}} 独自の文面\"\n"});
  const auto r = load_sources(three_step_defaults(), {c});
  ASSERT_TRUE(r.ok()) << r.text();
  EXPECT_EQ(r.set->find(IncidentType::flameup)->find("b")->role, "秘書広報課長");
  EXPECT_EQ(r.set->find_template("notice")->title, "市のお知らせ");
  EXPECT_EQ(r.set->find_template("notice")->source, "city/templates/notice.toml");
}

TEST(Overrides, UnknownTypeInCityFile) {
  const auto r = load_sources(three_step_defaults(), {city("x.toml", "type = \"storm\"\n")});
  EXPECT_NE(find_code(r, DiagnosticCode::unknown_incident_type), nullptr);
}

// --- files
// ----------------------------------------------------------------------------------------

TEST(LoaderFiles, ReadsDirectoriesAndReportsMissingOnes) {
  mamori::testing::TempDir dir;
  const auto src = minimal_sources();
  std::filesystem::create_directories(dir.path() / "templates");
  for (const auto& f : src.playbooks) {
    mamori::testing::write_file(dir.path() / std::filesystem::path(f.name).filename(), f.text);
  }
  mamori::testing::write_file(dir.path() / "templates" / "notice.toml", src.templates[0].text);
  mamori::testing::write_file(dir.path() / "README.md", "not a playbook");
  auto r = load_playbooks(dir.path());
  ASSERT_TRUE(r.ok()) << r.text();
  EXPECT_EQ(r.set->playbooks.size(), 7u);
  EXPECT_NE(r.set->find_template("notice"), nullptr);

  r = load_playbooks(dir.path(), {dir.path() / "no-such-city"});
  EXPECT_FALSE(r.ok());
  const Diagnostic* d = find_code(r, DiagnosticCode::read_error);
  ASSERT_NE(d, nullptr);
  EXPECT_NE(d->file.find("no-such-city"), std::string::npos);

  mamori::testing::write_file(dir.path() / "huge.toml",
                              std::string(kMaxPlaybookFileBytes + 1, '#'));
  r = load_playbooks(dir.path());
  EXPECT_NE(find_code(r, DiagnosticCode::file_too_large), nullptr);
}

TEST(LoaderFiles, FindsTheShippedDirectoryFromABuildTree) {
  const auto src = mamori::testing::source_dir();
  const auto found = find_shipped_playbooks(src / "build-x" / "bin" / "mamorictl");
  EXPECT_EQ(found, std::filesystem::weakly_canonical(src / "playbooks"));
  mamori::testing::TempDir prefix;
  std::filesystem::create_directories(prefix.path() / "share" / "mamori" / "playbooks");
  mamori::testing::write_file(
      prefix.path() / "share" / "mamori" / "playbooks" / "impersonation.toml", "");
  EXPECT_EQ(find_shipped_playbooks(prefix.path() / "bin" / "mamorictl"),
            std::filesystem::weakly_canonical(prefix.path() / "share" / "mamori" / "playbooks"));
}

// --- step helpers -------------------------------------------------------------------------------

TEST(StepHelpers, DueTimesAndRequirements) {
  Step s;
  s.due = Due{DueAnchor::acknowledge, std::chrono::hours(2)};
  const TimePoint opened = testing::sample_time();
  EXPECT_EQ(due_at(s, opened, std::nullopt), std::nullopt);
  EXPECT_EQ(due_at(s, opened, opened + std::chrono::minutes(10)),
            opened + std::chrono::minutes(130));
  s.due = Due{DueAnchor::open, std::chrono::minutes(30)};
  EXPECT_EQ(due_at(s, opened, std::nullopt), opened + std::chrono::minutes(30));
  s.requirement = Requirement::conditional;
  s.condition.min_severity = Severity::high;
  s.condition.platforms = {Platform::x};
  EXPECT_EQ(effective_requirement(s, Severity::critical, Platform::x), Requirement::mandatory);
  EXPECT_EQ(effective_requirement(s, Severity::critical, Platform::bluesky), Requirement::optional);
  EXPECT_EQ(effective_requirement(s, Severity::medium, Platform::x), Requirement::optional);
  EXPECT_EQ(format_due(*parse_due("acknowledge + 1h30m")), "acknowledge+1h30m");
  EXPECT_EQ(parse_duration("1d2h3m4s")->count(), 86400 + 7200 + 180 + 4);
  EXPECT_TRUE(post_matches("訂正|お詫び", "【お詫び】"));
  EXPECT_FALSE(post_matches("訂正|お詫び", "お知らせ"));
  EXPECT_FALSE(post_matches("", "anything"));
}

}  // namespace
}  // namespace mamori::playbooks
