// A small, logic-less template language for the drafted documents (a Mustache subset):
//   {{name}}                 a value, escaped for the output kind
//   {{#name}} … {{/name}}    a section: once for true / non-empty text / a table, once per list
//   item
//   {{^name}} … {{/name}}    an inverted section: only when the value is false, empty or absent
//   {{! comment }}
// Names are [A-Za-z0-9_] words joined by '.'; "{{.}}" is the current list item. A section or
// comment tag alone on its line removes that whole line, so plain-text templates stay tidy.
// There is deliberately no unescaped output, no partials and no code: templates are data that a
// city's ICT staff may edit, and the values include text written by strangers (an impersonator's
// display name), which must never become markup or control characters.
// Debian 12 packages no maintained C++ template engine (no inja; mstch is unmaintained since 2015
// and HTML-escapes unconditionally), hence this one.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::playbooks {

// A value to render: text, a flag, a list or a table of named values.
struct Value {
  enum class Kind { text, flag, list, table };
  Kind kind = Kind::text;
  std::string text;
  bool flag = false;
  std::vector<Value> items;
  std::map<std::string, Value, std::less<>> fields;

  Value() = default;
  Value(std::string s) : text(std::move(s)) {}  // NOLINT: implicit on purpose, reads naturally
  Value(const char* s) : text(s) {}             // NOLINT
  static Value of_flag(bool b);
  static Value list();
  static Value table();
  Value& set(std::string name, Value v);  // table: add or replace a field
  Value& push(Value v);                   // list: append
  const Value* get(std::string_view name) const;
  bool truthy() const;  // true flag, non-empty text, non-empty list, any table
};

enum class Escaping {
  plain,  // control and bidi-override characters removed, invalid UTF-8 replaced
  html,   // as plain, plus & < > " ' as character references
};

// What a template may refer to, for load-time checking: every top-level name and, for lists of
// tables, the fields of an item.
struct TemplateVariable {
  enum class Kind { text, flag, text_list, table_list };
  Kind kind = Kind::text;
  std::vector<std::string> fields;  // table_list
};
using TemplateSchema = std::map<std::string, TemplateVariable, std::less<>>;

struct TemplateError {
  int line = 0;  // 1-based, in the template text
  int column = 0;
  std::string message;
};

class Template {
 public:
  static constexpr std::size_t kMaxBytes = 64 * 1024;
  static constexpr int kMaxDepth = 16;

  struct Node {
    enum class Kind { text, variable, section, inverted };
    Kind kind = Kind::text;
    std::string text;  // text: literal; otherwise the name
    int line = 0;
    int column = 0;
    std::vector<Node> children;
  };

  // Parses; on failure returns nullptr and fills `error`.
  static std::shared_ptr<const Template> parse(std::string_view source, TemplateError* error);

  std::string render(const Value& root, Escaping escaping) const;
  // Every use of an unknown name, a list printed as text and similar mistakes.
  std::vector<TemplateError> check(const TemplateSchema& schema) const;
  const std::vector<Node>& nodes() const { return nodes_; }

 private:
  std::vector<Node> nodes_;
};

// The escaping applied to a single value (exposed for tests and for check texts).
std::string escape_value(std::string_view value, Escaping escaping);

}  // namespace mamori::playbooks
