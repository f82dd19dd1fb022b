#include "playbooks/engine/loader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "playbooks/engine/clauses.h"
#include "playbooks/engine/form_fields.h"
#include "playbooks/engine/incident_data.h"
#include "playbooks/engine/utf8.h"

namespace mamori::playbooks {

std::string_view to_string(DiagnosticCode code) {
  switch (code) {
    case DiagnosticCode::read_error:
      return "read_error";
    case DiagnosticCode::file_too_large:
      return "file_too_large";
    case DiagnosticCode::toml_syntax:
      return "toml_syntax";
    case DiagnosticCode::unknown_key:
      return "unknown_key";
    case DiagnosticCode::missing_field:
      return "missing_field";
    case DiagnosticCode::wrong_type:
      return "wrong_type";
    case DiagnosticCode::invalid_value:
      return "invalid_value";
    case DiagnosticCode::invalid_id:
      return "invalid_id";
    case DiagnosticCode::unknown_incident_type:
      return "unknown_incident_type";
    case DiagnosticCode::duplicate_playbook:
      return "duplicate_playbook";
    case DiagnosticCode::missing_playbook:
      return "missing_playbook";
    case DiagnosticCode::duplicate_step:
      return "duplicate_step";
    case DiagnosticCode::unknown_role:
      return "unknown_role";
    case DiagnosticCode::unknown_clause:
      return "unknown_clause";
    case DiagnosticCode::unknown_dependency:
      return "unknown_dependency";
    case DiagnosticCode::dependency_cycle:
      return "dependency_cycle";
    case DiagnosticCode::bad_duration:
      return "bad_duration";
    case DiagnosticCode::bad_check:
      return "bad_check";
    case DiagnosticCode::unknown_template:
      return "unknown_template";
    case DiagnosticCode::template_syntax:
      return "template_syntax";
    case DiagnosticCode::template_variable:
      return "template_variable";
    case DiagnosticCode::override_unknown_step:
      return "override_unknown_step";
    case DiagnosticCode::override_without_default:
      return "override_without_default";
    case DiagnosticCode::removed_dependency:
      return "removed_dependency";
  }
  return "unknown";
}

std::string Diagnostic::text() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += level == DiagnosticLevel::error ? ": error[" : ": warning[";
  out += std::string(to_string(code)) + "]: ";
  if (!key.empty()) out += key + ": ";
  out += message;
  return out;
}

std::size_t LoadResult::error_count() const {
  return static_cast<std::size_t>(
      std::count_if(diagnostics.begin(), diagnostics.end(),
                    [](const Diagnostic& d) { return d.level == DiagnosticLevel::error; }));
}

std::string LoadResult::text() const {
  std::string out;
  for (const auto& d : diagnostics) out += d.text() + "\n";
  return out;
}

const std::vector<std::string>& default_roles() {
  // 当番: the on-call person who acknowledges; 広報担当: the PR office; 所属長: the head of the
  // account's division (hokkaido.txt 2, special-ward.txt 4(3)); 情報政策担当: ICT / information
  // policy; 危機管理担当: crisis management (ube-city.txt 6(5)); アカウント管理者: the account's
  // administrators (ube-city.txt 4(1)); 情報システム管理者: the sender of record in soma-city.txt
  // 第5.
  static const std::vector<std::string> roles = {"当番",
                                                 "広報担当",
                                                 "所属長",
                                                 "情報政策担当",
                                                 "危機管理担当",
                                                 "アカウント管理者",
                                                 "情報システム管理者"};
  return roles;
}

namespace {

// ================================================================================================
// Diagnostics plumbing

struct Loc {
  std::string file;
  int line = 0;
  int column = 0;
};

Loc loc_of(const std::string& file, const toml::source_region& region) {
  Loc l;
  l.file = file;
  if (region.begin) {
    l.line = static_cast<int>(region.begin.line);
    l.column = static_cast<int>(region.begin.column);
  }
  return l;
}

class Sink {
 public:
  explicit Sink(std::vector<Diagnostic>& out) : out_(out) {}
  void error(DiagnosticCode code, const Loc& at, std::string key, std::string message) {
    add(DiagnosticLevel::error, code, at, std::move(key), std::move(message));
  }
  void warning(DiagnosticCode code, const Loc& at, std::string key, std::string message) {
    add(DiagnosticLevel::warning, code, at, std::move(key), std::move(message));
  }
  std::size_t errors() const { return errors_; }

 private:
  void add(DiagnosticLevel level, DiagnosticCode code, const Loc& at, std::string key,
           std::string message) {
    // Counted even when not kept: a capped list must still fail the load.
    if (level == DiagnosticLevel::error) ++errors_;
    // A runaway file (fuzzing, a paste gone wrong) must not produce megabytes of diagnostics.
    if (out_.size() >= 500) return;
    out_.push_back({level, code, at.file, at.line, at.column, std::move(key), std::move(message)});
  }
  std::vector<Diagnostic>& out_;
  std::size_t errors_ = 0;
};

std::string describe(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "文字列";
    case toml::node_type::integer:
      return "整数";
    case toml::node_type::floating_point:
      return "数値";
    case toml::node_type::boolean:
      return "真偽値";
    case toml::node_type::table:
      return "テーブル";
    case toml::node_type::array:
      return "配列";
    default:
      return "日付・時刻";
  }
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64 || id.front() < 'a' || id.front() > 'z') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// A view of one TOML table that remembers which keys were read, so unknown keys (typos such as
// `instruction` for `instructions`) are reported instead of silently ignored.
class TableView {
 public:
  TableView(Sink& sink, const std::string& file, const toml::table& table, std::string path)
      : sink_(sink), file_(file), table_(table), path_(std::move(path)) {}

  std::string path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  Loc loc() const { return loc_of(file_, table_.source()); }
  Loc loc(const toml::node& n) const { return loc_of(file_, n.source()); }
  const std::string& file() const { return file_; }
  Sink& sink() { return sink_; }

  const toml::node* get(std::string_view key) {
    used_.insert(std::string(key));
    return table_.get(key);
  }
  bool has(std::string_view key) const { return table_.contains(key); }

  void missing(std::string_view key, const std::string& what) {
    sink_.error(DiagnosticCode::missing_field, loc(), path(key), "必須の項目がありません: " + what);
  }

  void wrong(const toml::node& n, std::string_view key, const std::string& expected) {
    sink_.error(DiagnosticCode::wrong_type, loc(n), path(key),
                expected + "が必要ですが、" + describe(n) + "が書かれています");
  }

  // A string; `max_bytes` bounds what a typo or paste can put into the console.
  std::optional<std::string> string(std::string_view key, bool required, const std::string& what,
                                    std::size_t max_bytes = 200) {
    const toml::node* n = get(key);
    if (n == nullptr) {
      if (required) missing(key, what);
      return std::nullopt;
    }
    const auto* s = n->as_string();
    if (s == nullptr) {
      wrong(*n, key, "文字列");
      return std::nullopt;
    }
    const std::string& v = s->get();
    if (v.empty() || std::all_of(v.begin(), v.end(), [](char c) {
          return c == ' ' || c == '\n' || c == '\t' || c == '\r';
        })) {
      sink_.error(DiagnosticCode::invalid_value, loc(*n), path(key), "空です: " + what);
      return std::nullopt;
    }
    if (v.size() > max_bytes) {
      sink_.error(DiagnosticCode::invalid_value, loc(*n), path(key),
                  "長すぎます（" + std::to_string(max_bytes) + " バイトまで）");
      return std::nullopt;
    }
    return v;
  }

  // An array of strings, each reported at its own position.
  std::optional<std::vector<std::pair<std::string, Loc>>> strings(std::string_view key,
                                                                  bool required,
                                                                  const std::string& what,
                                                                  std::size_t max_items = 50) {
    const toml::node* n = get(key);
    if (n == nullptr) {
      if (required) missing(key, what);
      return std::nullopt;
    }
    const auto* a = n->as_array();
    if (a == nullptr) {
      wrong(*n, key, "文字列の配列");
      return std::nullopt;
    }
    if (a->size() > max_items) {
      sink_.error(DiagnosticCode::invalid_value, loc(*n), path(key),
                  "要素が多すぎます（" + std::to_string(max_items) + " 個まで）");
      return std::nullopt;
    }
    std::vector<std::pair<std::string, Loc>> out;
    bool ok = true;
    for (std::size_t i = 0; i < a->size(); ++i) {
      const toml::node& item = (*a)[i];
      const std::string item_key = std::string(key) + "[" + std::to_string(i) + "]";
      const auto* s = item.as_string();
      if (s == nullptr) {
        wrong(item, item_key, "文字列");
        ok = false;
        continue;
      }
      if (s->get().size() > 200) {
        sink_.error(DiagnosticCode::invalid_value, loc(item), path(item_key), "長すぎます");
        ok = false;
        continue;
      }
      out.emplace_back(s->get(), loc(item));
    }
    if (!ok) return std::nullopt;
    if (required && out.empty()) {
      sink_.error(DiagnosticCode::missing_field, loc(*n), path(key), "空の配列です: " + what);
      return std::nullopt;
    }
    return out;
  }

  const toml::table* table(std::string_view key) {
    const toml::node* n = get(key);
    if (n == nullptr) return nullptr;
    const auto* t = n->as_table();
    if (t == nullptr) wrong(*n, key, "テーブル");
    return t;
  }

  // Reports every key that was not read. `known_elsewhere` maps keys that are valid in another
  // context to the reason they are not valid here.
  void finish(const std::map<std::string, std::string>& known_elsewhere = {},
              DiagnosticCode elsewhere_code = DiagnosticCode::unknown_key) {
    for (auto&& [k, v] : table_) {
      const std::string key(k.str());
      if (used_.contains(key)) continue;
      const auto it = known_elsewhere.find(key);
      if (it != known_elsewhere.end()) {
        sink_.error(elsewhere_code, loc_of(file_, k.source()), path(key), it->second);
      } else {
        sink_.error(DiagnosticCode::unknown_key, loc_of(file_, k.source()), path(key),
                    "未知のキーです（綴りを確認してください）");
      }
    }
  }

 private:
  Sink& sink_;
  const std::string& file_;
  const toml::table& table_;
  std::string path_;
  std::set<std::string> used_;
};

// Where the content of a string value starts in the file, so positions inside a template body
// map back to file lines. Multi-line strings drop the newline right after the opening quotes.
Loc string_content_start(const SourceFile& src, const Loc& value) {
  Loc start = value;
  if (value.line <= 0) return start;
  std::size_t pos = 0;
  for (int l = 1; l < value.line && pos < src.text.size(); ++l) {
    const std::size_t nl = src.text.find('\n', pos);
    if (nl == std::string::npos) return start;
    pos = nl + 1;
  }
  for (int c = 1; c < value.column && pos < src.text.size(); ++c) utf8::next(src.text, pos);
  const std::string_view rest = std::string_view(src.text).substr(pos);
  if (rest.starts_with("\"\"\"") || rest.starts_with("'''")) {
    const std::string_view after = rest.substr(3);
    if (after.starts_with("\n") || after.starts_with("\r\n")) {
      start.line += 1;
      start.column = 1;
    } else {
      start.column += 3;
    }
  } else if (rest.starts_with("\"") || rest.starts_with("'")) {
    start.column += 1;
  }
  return start;
}

Loc map_template_position(const Loc& content_start, const TemplateError& e) {
  Loc l = content_start;
  l.line = content_start.line + e.line - 1;
  l.column = e.line == 1 ? content_start.column + e.column - 1 : e.column;
  return l;
}

std::optional<toml::table> parse_toml(const SourceFile& src, Sink& sink) {
  try {
    return toml::parse(src.text, src.name);
  } catch (const toml::parse_error& e) {
    sink.error(DiagnosticCode::toml_syntax, loc_of(src.name, e.source()), "",
               "TOML の構文エラー: " + std::string(e.description()));
    return std::nullopt;
  }
}

std::string file_stem(const std::string& name) {
  return std::filesystem::path(name).stem().string();
}

// ================================================================================================
// Stage 2: collect

struct RawStep {
  Step step;
  std::set<std::string> present;  // the step fields this file sets
  std::optional<std::string> override_mode;
  std::optional<std::pair<std::string, Loc>> insert_after;
  Loc loc;
  Loc role_loc;
  std::vector<Loc> dep_locs;
  std::vector<Loc> doc_locs;
  std::string key_path;
};

struct RawRemoval {
  std::string step;
  Loc loc;
  std::string key_path;
};

struct RawPlaybook {
  std::string file;
  bool is_override = false;
  std::optional<IncidentType> type;
  Loc type_loc;
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::vector<RawStep> steps;
  std::vector<RawRemoval> removals;
  std::vector<std::pair<std::string, Loc>> extra_roles;
};

std::vector<ClauseRef> read_clauses(TableView& t, std::string_view key, bool required) {
  std::vector<ClauseRef> out;
  const auto items =
      t.strings(key, required, "実装するガイドライン条項（例: \"soma-city.txt 第7-2\"）");
  if (!items) return out;
  for (std::size_t i = 0; i < items->size(); ++i) {
    std::string error;
    const auto ref = parse_citation((*items)[i].first, &error);
    if (!ref) {
      t.sink().error(DiagnosticCode::unknown_clause, (*items)[i].second,
                     t.path(std::string(key) + "[" + std::to_string(i) + "]"), error);
      continue;
    }
    if (std::find(out.begin(), out.end(), *ref) == out.end()) out.push_back(*ref);
  }
  return out;
}

// Template-valued check parameters ({{homepage_url}}) must parse and name known variables.
bool check_template_param(TableView& t, const toml::node& n, std::string_view key,
                          const std::string& value) {
  TemplateError err;
  const auto tpl = Template::parse(value, &err);
  if (!tpl) {
    t.sink().error(DiagnosticCode::bad_check, t.loc(n), t.path(key), err.message);
    return false;
  }
  const auto problems = tpl->check(template_schema());
  if (!problems.empty()) {
    t.sink().error(DiagnosticCode::bad_check, t.loc(n), t.path(key), problems.front().message);
    return false;
  }
  return true;
}

std::optional<Check> read_check(TableView& t) {
  Check check;
  const toml::node* kind_node = t.get("kind");
  if (kind_node == nullptr) {
    t.sink().error(DiagnosticCode::bad_check, t.loc(), t.path("kind"),
                   "自動確認の種類 kind がありません（subject_gone, rate_back_to_baseline, "
                   "official_post_since_open, homepage_contains, elapsed）");
    t.finish();
    return std::nullopt;
  }
  const auto* kind_str = kind_node->as_string();
  const auto kind = kind_str ? check_kind_from_string(kind_str->get()) : std::nullopt;
  if (!kind) {
    t.sink().error(DiagnosticCode::bad_check, t.loc(*kind_node), t.path("kind"),
                   "未知の自動確認です（subject_gone, rate_back_to_baseline, "
                   "official_post_since_open, homepage_contains, elapsed のいずれか）");
    t.finish();
    return std::nullopt;
  }
  check.kind = *kind;
  bool ok = true;
  const auto bad = [&](const toml::node* n, std::string_view key, const std::string& message) {
    t.sink().error(DiagnosticCode::bad_check, n ? t.loc(*n) : t.loc(), t.path(key), message);
    ok = false;
  };
  const auto required_string =
      [&](std::string_view key,
          const std::string& what) -> std::optional<std::pair<std::string, const toml::node*>> {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
      bad(nullptr, key,
          std::string(to_string(check.kind)) + " には " + std::string(key) + "（" + what +
              "）が必要です");
      return std::nullopt;
    }
    const auto* s = n->as_string();
    if (s == nullptr || s->get().empty()) {
      bad(n, key, std::string(key) + " は空でない文字列（" + what + "）です");
      return std::nullopt;
    }
    if (s->get().size() > 2000) {
      bad(n, key, std::string(key) + " が長すぎます");
      return std::nullopt;
    }
    return std::pair<std::string, const toml::node*>{s->get(), n};
  };
  const auto duration = [&](std::string_view key, std::chrono::seconds& out, bool required) {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
      if (required) {
        bad(nullptr, key,
            std::string(to_string(check.kind)) + " には " + std::string(key) +
                "（期間、例: \"24h\"）が必要です");
      }
      return;
    }
    const auto* s = n->as_string();
    std::string error = "期間は文字列で書きます（例: \"30m\"）";
    const auto d = s ? parse_duration(s->get(), &error) : std::nullopt;
    if (!d) {
      t.sink().error(DiagnosticCode::bad_duration, t.loc(*n), t.path(key), error);
      ok = false;
      return;
    }
    out = *d;
  };

  switch (check.kind) {
    case CheckKind::subject_gone:
      break;
    case CheckKind::rate_back_to_baseline: {
      if (const toml::node* n = t.get("max_ratio"); n != nullptr) {
        const auto v = n->value<double>();
        if (!v || !(*v >= 1.0 && *v <= 10.0)) {
          bad(n, "max_ratio",
              "max_ratio は 1.0 以上 10.0 以下の数値です（平常時の何倍までを平常とみなすか）");
        } else {
          check.max_ratio = *v;
        }
      }
      if (const toml::node* n = t.get("max_per_hour"); n != nullptr) {
        const auto v = n->value<double>();
        if (!v || !(*v >= 0.0 && *v <= 10000.0)) {
          bad(n, "max_per_hour",
              "max_per_hour は 0 以上 10000 以下の数値です（1時間あたり何件までの新しい返信を"
              "沈静とみなすか）");
        } else {
          check.max_per_hour = *v;
        }
      }
      duration("sustain", check.sustain, false);
      break;
    }
    case CheckKind::official_post_since_open: {
      const auto p = required_string("pattern", "訂正|お詫び のように | で区切った語句");
      if (p) {
        const std::string& pattern = p->first;
        std::size_t pos = 0;
        int alternatives = 0;
        while (pos <= pattern.size()) {
          std::size_t bar = pattern.find('|', pos);
          if (bar == std::string::npos) bar = pattern.size();
          if (bar == pos) {
            bad(p->second, "pattern",
                "pattern に空の語句があります（'|' の前後を確認してください）");
            break;
          }
          ++alternatives;
          pos = bar + 1;
        }
        if (alternatives > 20) bad(p->second, "pattern", "pattern の語句は 20 個までです");
        check.pattern = pattern;
      }
      break;
    }
    case CheckKind::homepage_contains: {
      const auto url = required_string("url", "確認するページのURL、または {{notice_url}} など");
      if (url) {
        const bool literal_url =
            url->first.starts_with("https://") || url->first.starts_with("http://");
        const bool variable_url = url->first.starts_with("{{");
        if (!literal_url && !variable_url) {
          bad(url->second, "url",
              "url は http:// か https:// で始まるURL、または {{notice_url}} などの変数です");
        } else if (check_template_param(t, *url->second, "url", url->first)) {
          check.url = url->first;
        } else {
          ok = false;
        }
      }
      const auto text = required_string("text", "ページに現れるべき文言");
      if (text) {
        if (check_template_param(t, *text->second, "text", text->first)) {
          check.text = text->first;
        } else {
          ok = false;
        }
      }
      break;
    }
    case CheckKind::elapsed: {
      duration("duration", check.duration, true);
      if (const toml::node* n = t.get("from"); n != nullptr) {
        const auto* s = n->as_string();
        if (s != nullptr && s->get() == "open") {
          check.from = DueAnchor::open;
        } else if (s != nullptr && s->get() == "acknowledge") {
          check.from = DueAnchor::acknowledge;
        } else {
          bad(n, "from", "from は \"open\" か \"acknowledge\" です");
        }
      }
      break;
    }
  }
  // Parameters of other kinds are named as such: the usual mistake is copying a check.
  std::map<std::string, std::string> elsewhere;
  const std::string here = std::string(to_string(check.kind));
  for (const auto& [key, owner] :
       std::vector<std::pair<std::string, std::string>>{{"max_ratio", "rate_back_to_baseline"},
                                                        {"sustain", "rate_back_to_baseline"},
                                                        {"max_per_hour", "rate_back_to_baseline"},
                                                        {"pattern", "official_post_since_open"},
                                                        {"url", "homepage_contains"},
                                                        {"text", "homepage_contains"},
                                                        {"duration", "elapsed"},
                                                        {"from", "elapsed"}}) {
    if (owner != here)
      elsewhere[key] = key + " は " + owner + " の設定で、" + here + " では使えません";
  }
  const std::size_t before = t.sink().errors();
  t.finish(elsewhere, DiagnosticCode::bad_check);
  if (t.sink().errors() != before) ok = false;
  if (!ok) return std::nullopt;
  return check;
}

std::optional<Condition> read_condition(TableView& t) {
  Condition c;
  bool ok = true;
  if (const auto s = t.string("min_severity", false, "low / medium / high / critical")) {
    c.min_severity = severity_from_string(*s);
    if (!c.min_severity) {
      t.sink().error(DiagnosticCode::invalid_value, t.loc(*t.get("min_severity")),
                     t.path("min_severity"), "low, medium, high, critical のいずれかです");
      ok = false;
    }
  }
  if (const auto ps = t.strings("platforms", false,
                                "x / bluesky / mastodon / facebook / instagram / youtube", 6)) {
    for (const auto& [name, loc] : *ps) {
      const auto p = model::platform_from_string(name);
      if (!p) {
        t.sink().error(
            DiagnosticCode::invalid_value, loc, t.path("platforms"),
            "'" + name +
                "' は x, bluesky, mastodon, facebook, instagram, youtube のいずれでもありません");
        ok = false;
      } else {
        c.platforms.push_back(*p);
      }
    }
  }
  if (!c.min_severity && c.platforms.empty() && ok) {
    t.sink().error(DiagnosticCode::missing_field, t.loc(), t.path("min_severity"),
                   "condition には min_severity か platforms が必要です");
    ok = false;
  }
  t.finish();
  if (!ok) return std::nullopt;
  return c;
}

RawStep read_step(TableView& t, bool is_override) {
  RawStep raw;
  raw.loc = t.loc();
  raw.step.defined_at = {raw.loc.file, raw.loc.line, raw.loc.column};
  if (const auto id = t.string("id", true, "手順の識別子（英小文字・数字・_）", 64)) {
    if (!valid_id(*id)) {
      t.sink().error(
          DiagnosticCode::invalid_id, t.loc(*t.get("id")), t.path("id"),
          "'" + *id +
              "' は識別子として使えません（英小文字で始まり、英小文字・数字・_ のみ、64文字まで）");
    }
    raw.step.id = *id;
  }
  if (is_override) {
    if (const auto mode = t.string("override", false, "replace / merge", 16)) {
      if (*mode != "replace" && *mode != "merge") {
        t.sink().error(DiagnosticCode::invalid_value, t.loc(*t.get("override")), t.path("override"),
                       "override は \"replace\"（手順ごと置き換え）か "
                       "\"merge\"（書いた項目だけ置き換え）です");
      } else {
        raw.override_mode = *mode;
      }
    }
    if (const auto after = t.string("insert_after", false, "直後に置く手順の id", 64)) {
      raw.insert_after = {*after, t.loc(*t.get("insert_after"))};
    }
  }
  const bool merge = raw.override_mode && *raw.override_mode == "merge";
  const bool required = !merge;
  const auto note = [&](std::string_view key) {
    if (t.has(key)) raw.present.insert(std::string(key));
  };
  for (const char* key : {"title", "instructions", "role", "due", "depends_on", "requirement",
                          "condition", "clauses", "documents", "check"}) {
    note(key);
  }
  if (const auto v = t.string("title", required, "手順の見出し（日本語）")) raw.step.title = *v;
  if (const auto v = t.string("instructions", required, "具体的な作業内容（日本語）", 8000)) {
    raw.step.instructions = *v;
  }
  if (const auto v = t.string("role", required, "担当（当番、広報担当、所属長 など）", 64)) {
    raw.step.role = *v;
    raw.role_loc = t.loc(*t.get("role"));
  }
  if (const toml::node* n = t.get("due"); n != nullptr) {
    const auto* s = n->as_string();
    std::string error = "期限は文字列で書きます（例: \"open+30m\"）";
    const auto due = s ? parse_due(s->get(), &error) : std::nullopt;
    if (!due) {
      t.sink().error(DiagnosticCode::bad_duration, t.loc(*n), t.path("due"), error);
    } else {
      raw.step.due = *due;
    }
  }
  if (const auto deps = t.strings("depends_on", false, "先に済ませる手順の id")) {
    for (const auto& [id, loc] : *deps) {
      raw.step.depends_on.push_back(id);
      raw.dep_locs.push_back(loc);
    }
  }
  if (const auto v = t.string("requirement", false, "mandatory / optional / conditional", 16)) {
    if (*v == "mandatory") {
      raw.step.requirement = Requirement::mandatory;
    } else if (*v == "optional") {
      raw.step.requirement = Requirement::optional;
    } else if (*v == "conditional") {
      raw.step.requirement = Requirement::conditional;
    } else {
      t.sink().error(DiagnosticCode::invalid_value, t.loc(*t.get("requirement")),
                     t.path("requirement"),
                     "requirement は \"mandatory\", \"optional\", \"conditional\" のいずれかです");
    }
  }
  if (const toml::table* c = t.table("condition"); c != nullptr) {
    TableView ct(t.sink(), t.file(), *c, t.path("condition"));
    if (auto cond = read_condition(ct)) raw.step.condition = std::move(*cond);
  }
  raw.step.clauses = read_clauses(t, "clauses", required);
  if (const auto docs = t.strings("documents", false, "文書テンプレートの id")) {
    for (const auto& [id, loc] : *docs) {
      raw.step.documents.push_back(id);
      raw.doc_locs.push_back(loc);
    }
  }
  if (const toml::table* c = t.table("check"); c != nullptr) {
    TableView ct(t.sink(), t.file(), *c, t.path("check"));
    raw.step.check = read_check(ct);
  }
  std::map<std::string, std::string> elsewhere;
  if (!is_override) {
    elsewhere["override"] = "override は市の上書きディレクトリのファイルでだけ使えます";
    elsewhere["insert_after"] = "insert_after は市の上書きディレクトリのファイルでだけ使えます";
  }
  t.finish(elsewhere, DiagnosticCode::invalid_value);
  return raw;
}

std::optional<RawPlaybook> collect_playbook(const SourceFile& src, bool is_override, Sink& sink) {
  if (src.text.size() > kMaxPlaybookFileBytes) {
    sink.error(DiagnosticCode::file_too_large, {src.name, 0, 0}, "",
               "ファイルが大きすぎます（1 MiB まで）");
    return std::nullopt;
  }
  const auto doc = parse_toml(src, sink);
  if (!doc) return std::nullopt;
  RawPlaybook raw;
  raw.file = src.name;
  raw.is_override = is_override;
  TableView root(sink, src.name, *doc, "");
  if (const toml::node* n = root.get("type"); n == nullptr) {
    root.missing("type",
                 "インシデントの種類（impersonation, flameup, misinformation, "
                 "account_compromise, erroneous_post, threat, account_change）");
  } else {
    raw.type_loc = root.loc(*n);
    const auto* s = n->as_string();
    raw.type = s ? incident_type_from_string(s->get()) : std::nullopt;
    if (!raw.type) {
      sink.error(DiagnosticCode::unknown_incident_type, raw.type_loc, "type",
                 "impersonation, flameup, misinformation, account_compromise, erroneous_post, "
                 "threat, account_change のいずれかです");
    }
  }
  raw.title = root.string("title", !is_override, "プレイブックの名前（日本語）");
  raw.description = root.string("description", false, "説明", 4000);
  if (const toml::node* n = root.get("steps"); n == nullptr) {
    if (!is_override) root.missing("steps", "[[steps]] で手順を一つ以上");
  } else if (const auto* a = n->as_array(); a == nullptr || !a->is_array_of_tables()) {
    root.wrong(*n, "steps", "[[steps]] のテーブルの配列");
  } else if (a->size() > kMaxStepsPerPlaybook) {
    sink.error(DiagnosticCode::invalid_value, root.loc(*n), "steps",
               "手順が多すぎます（" + std::to_string(kMaxStepsPerPlaybook) + " 個まで）");
  } else {
    for (std::size_t i = 0; i < a->size(); ++i) {
      const std::string path = "steps[" + std::to_string(i) + "]";
      TableView st(sink, src.name, *(*a)[i].as_table(), path);
      RawStep step = read_step(st, is_override);
      step.key_path = path;
      raw.steps.push_back(std::move(step));
    }
  }
  if (is_override) {
    if (const toml::node* n = root.get("remove"); n != nullptr) {
      const auto* a = n->as_array();
      if (a == nullptr || !a->is_array_of_tables()) {
        root.wrong(*n, "remove", "[[remove]] のテーブルの配列");
      } else {
        for (std::size_t i = 0; i < a->size() && i < kMaxStepsPerPlaybook; ++i) {
          const std::string path = "remove[" + std::to_string(i) + "]";
          TableView rt(sink, src.name, *(*a)[i].as_table(), path);
          RawRemoval removal;
          removal.loc = rt.loc();
          removal.key_path = path;
          if (const auto id = rt.string("step", true, "削除する手順の id", 64)) removal.step = *id;
          // A city that drops a default step says which of its own clauses requires that.
          read_clauses(rt, "clauses", true);
          rt.string("reason", true, "削除する理由（日本語）", 2000);
          rt.finish();
          raw.removals.push_back(std::move(removal));
        }
      }
    }
    if (const auto roles = root.strings("roles", false, "追加する担当の名前", 20)) {
      raw.extra_roles = *roles;
    }
  }
  std::map<std::string, std::string> elsewhere;
  if (!is_override) {
    elsewhere["remove"] = "remove は市の上書きディレクトリのファイルでだけ使えます";
    elsewhere["roles"] = "roles は市の上書きディレクトリのファイルでだけ使えます";
  }
  root.finish(elsewhere, DiagnosticCode::invalid_value);
  return raw;
}

struct RawTemplate {
  DocumentTemplate tpl;
  bool ok = false;
};

std::shared_ptr<const Template> read_body(TableView& t, const SourceFile& src, std::string_view key,
                                          bool required) {
  const toml::node* n = t.get(key);
  if (n == nullptr) {
    if (required) t.missing(key, "文書の本文（テンプレート）");
    return nullptr;
  }
  const auto* s = n->as_string();
  if (s == nullptr) {
    t.wrong(*n, key, "文字列");
    return nullptr;
  }
  TemplateError err;
  auto tpl = Template::parse(s->get(), &err);
  const Loc start = string_content_start(src, t.loc(*n));
  if (!tpl) {
    t.sink().error(DiagnosticCode::template_syntax, map_template_position(start, err), t.path(key),
                   err.message);
    return nullptr;
  }
  bool ok = true;
  for (const auto& e : tpl->check(template_schema())) {
    t.sink().error(DiagnosticCode::template_variable, map_template_position(start, e), t.path(key),
                   e.message);
    ok = false;
  }
  return ok ? tpl : nullptr;
}

std::optional<LengthLimit> read_limit(TableView& t) {
  const auto v = t.string("limit", false, "文字数の上限の名前", 32);
  if (!v) return std::nullopt;
  const auto l = length_limit_from_string(*v);
  if (!l) {
    t.sink().error(DiagnosticCode::invalid_value, t.loc(*t.get("limit")), t.path("limit"),
                   "limit は x_post, bluesky_post, mastodon_post, bluesky_report, "
                   "mastodon_report のいずれかです");
  }
  return l;
}

RawTemplate collect_template(const SourceFile& src, Sink& sink) {
  RawTemplate raw;
  raw.tpl.id = file_stem(src.name);
  raw.tpl.source = src.name;
  if (!valid_id(raw.tpl.id)) {
    sink.error(DiagnosticCode::invalid_id, {src.name, 0, 0}, "",
               "テンプレートの id（ファイル名）'" + raw.tpl.id +
                   "' は英小文字で始まり、英小文字・数字・_ のみにしてください");
    return raw;
  }
  if (src.text.size() > kMaxPlaybookFileBytes) {
    sink.error(DiagnosticCode::file_too_large, {src.name, 0, 0}, "",
               "ファイルが大きすぎます（1 MiB まで）");
    return raw;
  }
  const auto doc = parse_toml(src, sink);
  if (!doc) return raw;
  const std::size_t before = sink.errors();
  TableView root(sink, src.name, *doc, "");
  if (const auto v = root.string("title", true, "文書名（日本語）")) raw.tpl.title = *v;
  if (const auto v = root.string("description", false, "説明", 4000)) raw.tpl.description = *v;
  if (const auto v = root.string("audience", false,
                                 "読み手（住民、運営会社、報道機関、庁内、警察など）", 200)) {
    raw.tpl.audience = *v;
  }
  if (const auto v = root.string("format", false, "text / html", 16)) {
    if (*v == "text") {
      raw.tpl.format = DocumentFormat::text;
    } else if (*v == "html") {
      raw.tpl.format = DocumentFormat::html;
    } else {
      sink.error(DiagnosticCode::invalid_value, root.loc(*root.get("format")), "format",
                 "format は \"text\" か \"html\" です");
    }
  }
  raw.tpl.body = read_body(root, src, "body", true);
  const auto default_limit = read_limit(root);
  if (const toml::table* variants = root.table("variants"); variants != nullptr) {
    for (auto&& [k, v] : *variants) {
      const std::string name(k.str());
      const auto platform = model::platform_from_string(name);
      const std::string path = "variants." + name;
      if (!platform || name == "twitter" || name == "bsky") {
        sink.error(DiagnosticCode::unknown_key, loc_of(src.name, k.source()), path,
                   "variants のキーは x, bluesky, mastodon, facebook, instagram, youtube です");
        continue;
      }
      const auto* vt = v.as_table();
      if (vt == nullptr) {
        sink.error(DiagnosticCode::wrong_type, loc_of(src.name, v.source()), path,
                   "テーブルが必要です（body と limit）");
        continue;
      }
      TableView view(sink, src.name, *vt, path);
      DocumentVariant variant;
      variant.body = read_body(view, src, "body", false);
      variant.limit = read_limit(view);
      if (auto names = view.strings("required", false, "報告フォームの必須項目", 10)) {
        for (auto& [field, loc] : *names) {
          if (!form_field(field)) {
            sink.error(DiagnosticCode::invalid_value, loc, path + ".required",
                       "required に書ける項目は " + form_field_names() + " です（'" + field +
                           "' は使えません）");
            continue;
          }
          variant.required.push_back(std::move(field));
        }
      }
      view.finish();
      raw.tpl.variants[*platform] = std::move(variant);
    }
  }
  // A default limit applies to every platform without its own variant.
  if (default_limit) {
    for (auto p : {Platform::x, Platform::bluesky, Platform::mastodon, Platform::facebook,
                   Platform::instagram, Platform::youtube}) {
      auto& variant = raw.tpl.variants[p];
      if (!variant.limit) variant.limit = default_limit;
    }
  }
  root.finish();
  raw.ok = sink.errors() == before && raw.tpl.body != nullptr;
  return raw;
}

// ================================================================================================
// Stage 3: merge and validate

struct MergedStep {
  Step step;
  Loc loc;
  Loc role_loc;
  std::vector<Loc> dep_locs;
  std::vector<Loc> doc_locs;
  std::string key_path;
};

struct MergedPlaybook {
  IncidentType type = IncidentType::impersonation;
  std::string title;
  std::string description;
  std::vector<MergedStep> steps;
  std::vector<std::string> sources;
  Loc loc;
};

MergedStep from_raw(const RawStep& raw) {
  return {raw.step, raw.loc, raw.role_loc, raw.dep_locs, raw.doc_locs, raw.key_path};
}

// Fields a `merge` override replaces one by one.
void merge_into(MergedStep& target, const RawStep& patch) {
  const auto& p = patch.present;
  Step& s = target.step;
  if (p.contains("title")) s.title = patch.step.title;
  if (p.contains("instructions")) s.instructions = patch.step.instructions;
  if (p.contains("role")) {
    s.role = patch.step.role;
    target.role_loc = patch.role_loc;
  }
  if (p.contains("due")) s.due = patch.step.due;
  if (p.contains("depends_on")) {
    s.depends_on = patch.step.depends_on;
    target.dep_locs = patch.dep_locs;
  }
  if (p.contains("requirement")) s.requirement = patch.step.requirement;
  if (p.contains("condition")) s.condition = patch.step.condition;
  if (p.contains("clauses")) s.clauses = patch.step.clauses;
  if (p.contains("documents")) {
    s.documents = patch.step.documents;
    target.doc_locs = patch.doc_locs;
  }
  if (p.contains("check")) s.check = patch.step.check;
  s.defined_at = {patch.loc.file, patch.loc.line, patch.loc.column};
  target.loc = patch.loc;
  target.key_path = patch.key_path;
}

std::ptrdiff_t index_of(const std::vector<MergedStep>& steps, std::string_view id) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].step.id == id) return static_cast<std::ptrdiff_t>(i);
  }
  return -1;
}

void apply_override(MergedPlaybook& pb, const RawPlaybook& ov, Sink& sink) {
  pb.sources.push_back(ov.file);
  if (ov.title) pb.title = *ov.title;
  if (ov.description) pb.description = *ov.description;
  for (const auto& removal : ov.removals) {
    if (removal.step.empty()) continue;
    const auto idx = index_of(pb.steps, removal.step);
    if (idx < 0) {
      sink.error(DiagnosticCode::override_unknown_step, removal.loc, removal.key_path + ".step",
                 "削除する手順 '" + removal.step + "' は " +
                     std::string(model::to_string(pb.type)) + " のプレイブックにありません");
      continue;
    }
    const std::vector<std::string> inherited =
        pb.steps[static_cast<std::size_t>(idx)].step.depends_on;
    const std::vector<Loc> inherited_locs = pb.steps[static_cast<std::size_t>(idx)].dep_locs;
    pb.steps.erase(pb.steps.begin() + idx);
    // Steps that waited for the removed one now wait for what it waited for, so the order the
    // guideline implies survives the removal.
    for (auto& s : pb.steps) {
      auto& deps = s.step.depends_on;
      const auto it = std::find(deps.begin(), deps.end(), removal.step);
      if (it == deps.end()) continue;
      const auto pos = static_cast<std::size_t>(it - deps.begin());
      deps.erase(it);
      s.dep_locs.erase(s.dep_locs.begin() + static_cast<std::ptrdiff_t>(pos));
      std::string added;
      for (std::size_t k = 0; k < inherited.size(); ++k) {
        if (std::find(deps.begin(), deps.end(), inherited[k]) != deps.end()) continue;
        deps.push_back(inherited[k]);
        s.dep_locs.push_back(inherited_locs[k]);
        added += (added.empty() ? "" : ", ") + inherited[k];
      }
      sink.warning(DiagnosticCode::removed_dependency, removal.loc, removal.key_path,
                   "手順 '" + s.step.id + "' は削除された '" + removal.step +
                       "' に依存していたため、" +
                       (added.empty() ? std::string("依存なしになりました")
                                      : "代わりに " + added + " に依存します"));
    }
  }
  for (const auto& raw : ov.steps) {
    if (raw.step.id.empty()) continue;
    const auto idx = index_of(pb.steps, raw.step.id);
    if (idx >= 0) {
      auto& existing = pb.steps[static_cast<std::size_t>(idx)];
      if (!raw.override_mode) {
        sink.error(
            DiagnosticCode::duplicate_step, raw.loc, raw.key_path + ".id",
            "手順 '" + raw.step.id + "' は " + existing.loc.file + ":" +
                std::to_string(existing.loc.line) +
                " で定義済みです。置き換えるなら override = \"replace\"、一部の項目だけ変えるなら "
                "override = \"merge\" と書いてください");
        continue;
      }
      if (raw.insert_after) {
        sink.error(DiagnosticCode::invalid_value, raw.insert_after->second,
                   raw.key_path + ".insert_after",
                   "insert_after は新しく追加する手順にだけ使えます");
      }
      if (*raw.override_mode == "replace") {
        existing = from_raw(raw);
      } else {
        merge_into(existing, raw);
      }
      continue;
    }
    if (raw.override_mode) {
      sink.error(DiagnosticCode::override_unknown_step, raw.loc, raw.key_path + ".override",
                 "上書きする手順 '" + raw.step.id + "' は " +
                     std::string(model::to_string(pb.type)) +
                     " のプレイブックにありません（新しい手順なら override を外してください）");
      continue;
    }
    MergedStep added = from_raw(raw);
    if (raw.insert_after) {
      const auto after = index_of(pb.steps, raw.insert_after->first);
      if (after < 0) {
        sink.error(DiagnosticCode::override_unknown_step, raw.insert_after->second,
                   raw.key_path + ".insert_after",
                   "手順 '" + raw.insert_after->first + "' がないため、この位置に挿入できません");
        pb.steps.push_back(std::move(added));
      } else {
        pb.steps.insert(pb.steps.begin() + after + 1, std::move(added));
      }
    } else {
      pb.steps.push_back(std::move(added));
    }
  }
}

// Dependency cycles, each reported once: at an edge a city's override added if there is one
// (that is the change that made the cycle), otherwise at the edge that closes it.
void check_cycles(const MergedPlaybook& pb, Sink& sink) {
  const std::string& defaults_file = pb.sources.empty() ? std::string() : pb.sources.front();
  std::map<std::string, std::size_t, std::less<>> index;
  for (std::size_t i = 0; i < pb.steps.size(); ++i) index[pb.steps[i].step.id] = i;
  std::vector<int> color(pb.steps.size(), 0);  // 0 new, 1 on the path, 2 done
  std::vector<std::size_t> path;
  std::function<void(std::size_t)> visit = [&](std::size_t i) {
    color[i] = 1;
    path.push_back(i);
    const auto& s = pb.steps[i];
    for (std::size_t d = 0; d < s.step.depends_on.size(); ++d) {
      const auto it = index.find(s.step.depends_on[d]);
      if (it == index.end()) continue;  // reported as unknown_dependency
      const std::size_t j = it->second;
      if (color[j] == 1) {
        std::string cycle;
        const auto start = std::find(path.begin(), path.end(), j);
        for (auto p = start; p != path.end(); ++p) cycle += pb.steps[*p].step.id + " → ";
        cycle += pb.steps[j].step.id;
        // The edges of the cycle: path[k] -> path[k+1], and finally i -> j.
        const MergedStep* at_step = &s;
        std::size_t at_dep = d;
        for (auto p = start; p != path.end(); ++p) {
          const MergedStep& from = pb.steps[*p];
          const std::string& to =
              (p + 1 == path.end()) ? pb.steps[j].step.id : pb.steps[*(p + 1)].step.id;
          const auto e = std::find(from.step.depends_on.begin(), from.step.depends_on.end(), to);
          const auto k = static_cast<std::size_t>(e - from.step.depends_on.begin());
          if (e != from.step.depends_on.end() && k < from.dep_locs.size() &&
              from.dep_locs[k].file != defaults_file) {
            at_step = &from;
            at_dep = k;
            break;
          }
        }
        sink.error(DiagnosticCode::dependency_cycle,
                   at_dep < at_step->dep_locs.size() ? at_step->dep_locs[at_dep] : at_step->loc,
                   at_step->key_path + ".depends_on[" + std::to_string(at_dep) + "]",
                   "手順の依存が循環しています: " + cycle);
      } else if (color[j] == 0) {
        visit(j);
      }
    }
    path.pop_back();
    color[i] = 2;
  };
  for (std::size_t i = 0; i < pb.steps.size(); ++i) {
    if (color[i] == 0) visit(i);
  }
}

void validate_playbook(const MergedPlaybook& pb, const std::set<std::string, std::less<>>& roles,
                       const std::map<std::string, DocumentTemplate, std::less<>>& templates,
                       const std::set<std::string, std::less<>>& broken_templates, Sink& sink) {
  if (pb.steps.empty()) {
    sink.error(DiagnosticCode::missing_field, pb.loc, "steps",
               std::string(model::to_string(pb.type)) + " のプレイブックに手順がありません");
    return;
  }
  std::set<std::string, std::less<>> ids;
  for (const auto& s : pb.steps) ids.insert(s.step.id);
  std::string role_list;
  for (const auto& r : roles) role_list += (role_list.empty() ? "" : "、") + r;
  for (const auto& s : pb.steps) {
    const Step& step = s.step;
    if (!step.role.empty() && !roles.contains(step.role)) {
      sink.error(DiagnosticCode::unknown_role, s.role_loc, s.key_path + ".role",
                 "担当 '" + step.role + "' は未知です（" + role_list +
                     "。市で追加するなら上書きファイルに roles = [...] を書きます）");
    }
    for (std::size_t d = 0; d < step.depends_on.size(); ++d) {
      const std::string& dep = step.depends_on[d];
      const Loc at = d < s.dep_locs.size() ? s.dep_locs[d] : s.loc;
      const std::string key = s.key_path + ".depends_on[" + std::to_string(d) + "]";
      if (dep == step.id) {
        sink.error(DiagnosticCode::dependency_cycle, at, key, "手順が自分自身に依存しています");
      } else if (!ids.contains(dep)) {
        sink.error(DiagnosticCode::unknown_dependency, at, key,
                   "依存先の手順 '" + dep + "' は " + std::string(model::to_string(pb.type)) +
                       " のプレイブックにありません");
      }
    }
    for (std::size_t d = 0; d < step.documents.size(); ++d) {
      const std::string& doc = step.documents[d];
      if (templates.contains(doc) || broken_templates.contains(doc)) continue;
      std::string known;
      for (const auto& [id, t] : templates) known += (known.empty() ? "" : ", ") + id;
      sink.error(DiagnosticCode::unknown_template, d < s.doc_locs.size() ? s.doc_locs[d] : s.loc,
                 s.key_path + ".documents[" + std::to_string(d) + "]",
                 "文書テンプレート '" + doc + "' がありません（templates/" + doc +
                     ".toml。既知: " + known + "）");
    }
    if (step.requirement == Requirement::conditional && !step.condition.min_severity &&
        step.condition.platforms.empty()) {
      sink.error(DiagnosticCode::missing_field, s.loc, s.key_path + ".condition",
                 "requirement = \"conditional\" には [steps.condition] が必要です");
    }
    if (step.requirement != Requirement::conditional &&
        (step.condition.min_severity || !step.condition.platforms.empty())) {
      sink.error(DiagnosticCode::invalid_value, s.loc, s.key_path + ".condition",
                 "condition は requirement = \"conditional\" の手順にだけ書けます");
    }
  }
  check_cycles(pb, sink);
}

}  // namespace

// ================================================================================================
// Public entry points

LoadResult load_sources(const PlaybookSources& defaults,
                        const std::vector<PlaybookSources>& overrides) {
  LoadResult result;
  Sink sink(result.diagnostics);

  // Templates: defaults, then each override directory replaces by id.
  std::map<std::string, DocumentTemplate, std::less<>> templates;
  std::set<std::string, std::less<>> broken_templates;  // reported already; not "unknown"
  const auto take_templates = [&](const PlaybookSources& src) {
    for (const auto& file : src.templates) {
      RawTemplate raw = collect_template(file, sink);
      if (raw.ok) {
        broken_templates.erase(raw.tpl.id);
        templates.insert_or_assign(raw.tpl.id, std::move(raw.tpl));
      } else if (!raw.tpl.id.empty()) {
        broken_templates.insert(raw.tpl.id);
      }
    }
  };
  take_templates(defaults);
  for (const auto& o : overrides) take_templates(o);

  // Default playbooks: exactly one per incident type.
  std::map<IncidentType, MergedPlaybook> merged;
  std::map<IncidentType, Loc> defined_at;
  for (const auto& file : defaults.playbooks) {
    auto raw = collect_playbook(file, false, sink);
    if (!raw || !raw->type) continue;
    if (const auto it = defined_at.find(*raw->type); it != defined_at.end()) {
      sink.error(DiagnosticCode::duplicate_playbook, raw->type_loc, "type",
                 std::string(model::to_string(*raw->type)) + " のプレイブックは " +
                     it->second.file + " で定義済みです");
      continue;
    }
    defined_at[*raw->type] = raw->type_loc;
    MergedPlaybook pb;
    pb.type = *raw->type;
    pb.title = raw->title.value_or("");
    pb.description = raw->description.value_or("");
    pb.sources.push_back(file.name);
    pb.loc = raw->type_loc;
    for (const auto& step : raw->steps) {
      if (step.step.id.empty()) continue;
      if (const auto idx = index_of(pb.steps, step.step.id); idx >= 0) {
        const auto& first = pb.steps[static_cast<std::size_t>(idx)];
        sink.error(DiagnosticCode::duplicate_step, step.loc, step.key_path + ".id",
                   "手順 '" + step.step.id + "' は " + first.loc.file + ":" +
                       std::to_string(first.loc.line) + " で定義済みです");
        continue;
      }
      pb.steps.push_back(from_raw(step));
    }
    merged[pb.type] = std::move(pb);
  }
  for (auto t : {IncidentType::impersonation, IncidentType::flameup, IncidentType::misinformation,
                 IncidentType::account_compromise, IncidentType::erroneous_post,
                 IncidentType::threat, IncidentType::account_change}) {
    if (!merged.contains(t)) {
      sink.error(DiagnosticCode::missing_playbook, {defaults.directory, 0, 0}, "",
                 std::string(model::to_string(t)) + " のプレイブック（type = \"" +
                     std::string(model::to_string(t)) + "\" のファイル）がありません");
    }
  }

  // Overrides, directory by directory, file by file.
  std::set<std::string, std::less<>> roles(default_roles().begin(), default_roles().end());
  std::vector<RawPlaybook> override_files;
  for (const auto& o : overrides) {
    for (const auto& file : o.playbooks) {
      auto raw = collect_playbook(file, true, sink);
      if (!raw || !raw->type) continue;
      for (const auto& [role, loc] : raw->extra_roles) roles.insert(role);
      override_files.push_back(std::move(*raw));
    }
  }
  for (const auto& ov : override_files) {
    const auto it = merged.find(*ov.type);
    if (it == merged.end()) {
      sink.error(DiagnosticCode::override_without_default, ov.type_loc, "type",
                 "上書き対象の " + std::string(model::to_string(*ov.type)) +
                     " のプレイブックが既定のディレクトリにありません");
      continue;
    }
    apply_override(it->second, ov, sink);
  }

  for (const auto& [type, pb] : merged) {
    if (pb.steps.size() > kMaxStepsPerPlaybook) {
      sink.error(
          DiagnosticCode::invalid_value, pb.loc, "steps",
          "上書き後の手順が多すぎます（" + std::to_string(kMaxStepsPerPlaybook) + " 個まで）");
      continue;
    }
    validate_playbook(pb, roles, templates, broken_templates, sink);
  }

  if (sink.errors() > 0) return result;
  auto set = std::make_shared<PlaybookSet>();
  for (auto& [type, pb] : merged) {
    Playbook out;
    out.type = type;
    out.title = pb.title;
    out.description = pb.description;
    out.sources = pb.sources;
    for (auto& s : pb.steps) out.steps.push_back(std::move(s.step));
    set->playbooks[type] = std::move(out);
  }
  set->templates = std::move(templates);
  set->roles.assign(roles.begin(), roles.end());
  result.set = std::move(set);
  return result;
}

PlaybookSources read_directory(const std::filesystem::path& dir,
                               std::vector<Diagnostic>& diagnostics) {
  PlaybookSources out;
  out.directory = dir.string();
  Sink sink(diagnostics);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    sink.error(DiagnosticCode::read_error, {dir.string(), 0, 0}, "",
               "プレイブックのディレクトリがありません（または読めません）");
    return out;
  }
  const auto list = [&](const std::filesystem::path& d, std::vector<SourceFile>& files) {
    std::vector<std::filesystem::path> paths;
    std::error_code iter_ec;
    for (std::filesystem::directory_iterator it(d, iter_ec), end; !iter_ec && it != end;
         it.increment(iter_ec)) {
      std::error_code type_ec;
      if (it->path().extension() == ".toml" && it->is_regular_file(type_ec)) {
        paths.push_back(it->path());
      }
    }
    if (iter_ec) {
      sink.error(DiagnosticCode::read_error, {d.string(), 0, 0}, "",
                 "ディレクトリを読めません: " + iter_ec.message());
    }
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths) {
      std::error_code size_ec;
      const auto size = std::filesystem::file_size(p, size_ec);
      if (size_ec || size > kMaxPlaybookFileBytes) {
        sink.error(size_ec ? DiagnosticCode::read_error : DiagnosticCode::file_too_large,
                   {p.string(), 0, 0}, "",
                   size_ec ? "ファイルを読めません" : "ファイルが大きすぎます（1 MiB まで）");
        continue;
      }
      std::ifstream in(p, std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      if (!in) {
        sink.error(DiagnosticCode::read_error, {p.string(), 0, 0}, "", "ファイルを読めません");
        continue;
      }
      files.push_back({p.string(), ss.str()});
    }
  };
  list(dir, out.playbooks);
  if (std::filesystem::is_directory(dir / "templates", ec)) list(dir / "templates", out.templates);
  return out;
}

LoadResult load_playbooks(const std::filesystem::path& dir,
                          const std::vector<std::filesystem::path>& override_dirs) {
  std::vector<Diagnostic> read_diagnostics;
  const PlaybookSources defaults = read_directory(dir, read_diagnostics);
  std::vector<PlaybookSources> overrides;
  for (const auto& d : override_dirs) overrides.push_back(read_directory(d, read_diagnostics));
  LoadResult result = load_sources(defaults, overrides);
  const bool read_failed =
      std::any_of(read_diagnostics.begin(), read_diagnostics.end(),
                  [](const Diagnostic& d) { return d.level == DiagnosticLevel::error; });
  result.diagnostics.insert(result.diagnostics.begin(), read_diagnostics.begin(),
                            read_diagnostics.end());
  if (read_failed) result.set.reset();
  return result;
}

std::filesystem::path find_shipped_playbooks(const std::filesystem::path& executable) {
  std::vector<std::filesystem::path> candidates;
  const auto bin = executable.parent_path();
  candidates.push_back((bin / ".." / "share" / "mamori" / "playbooks").lexically_normal());
  auto dir = bin;
  for (int i = 0; i < 4 && !dir.empty(); ++i) {
    candidates.push_back(dir / "playbooks");
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  candidates.emplace_back("/usr/share/mamori/playbooks");
  for (const auto& c : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(c / "impersonation.toml", ec)) {
      return std::filesystem::weakly_canonical(c, ec);
    }
  }
  return {};
}

}  // namespace mamori::playbooks
