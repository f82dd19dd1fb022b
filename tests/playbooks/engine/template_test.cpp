#include "playbooks/engine/template.h"

#include <gtest/gtest.h>

namespace mamori::playbooks {
namespace {

std::string render(std::string_view src, const Value& v, Escaping e = Escaping::plain) {
  TemplateError err;
  const auto t = Template::parse(src, &err);
  EXPECT_NE(t, nullptr) << err.line << ":" << err.column << " " << err.message;
  return t ? t->render(v, e) : std::string();
}

TemplateError parse_error(std::string_view src) {
  TemplateError err;
  EXPECT_EQ(Template::parse(src, &err), nullptr) << src;
  return err;
}

Value sample() {
  Value v = Value::table();
  v.set("city", "相馬市");
  v.set("empty", "");
  v.set("yes", Value::of_flag(true));
  v.set("no", Value::of_flag(false));
  Value items = Value::list();
  items.push("表示名");
  items.push("アイコン");
  v.set("items", items);
  Value rows = Value::list();
  rows.push(Value::table().set("label", "a").set("url", "https://e.example/a"));
  rows.push(Value::table().set("label", "b"));
  v.set("rows", rows);
  v.set("dept", Value::table().set("name", "秘書広報課"));
  return v;
}

TEST(Template, VariablesSectionsAndLists) {
  const Value v = sample();
  EXPECT_EQ(render("{{city}}の{{ city }}", v), "相馬市の相馬市");
  EXPECT_EQ(render("[{{missing}}][{{empty}}]", v), "[][]");
  EXPECT_EQ(render("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{^no}}n{{/no}}{{^yes}}y{{/yes}}", v), "Yn");
  EXPECT_EQ(render("{{#empty}}E{{/empty}}{{^empty}}e{{/empty}}{{#missing}}M{{/missing}}", v), "e");
  EXPECT_EQ(render("{{#items}}<{{.}}>{{/items}}", v), "<表示名><アイコン>");
  EXPECT_EQ(render("{{#rows}}{{label}}={{url}};{{/rows}}", v), "a=https://e.example/a;b=;");
  // An item without a field does not see an outer field of the same name by accident of order,
  // but outer names stay reachable inside sections.
  EXPECT_EQ(render("{{#rows}}{{city}}{{/rows}}", v), "相馬市相馬市");
  EXPECT_EQ(render("{{dept.name}} {{#dept}}{{name}}{{/dept}}", v), "秘書広報課 秘書広報課");
  EXPECT_EQ(render("{{#city}}[{{city}}]{{/city}}", v), "[相馬市]");
  EXPECT_EQ(render("{{! note }}a", v), "a");
  EXPECT_EQ(render("単独の { と } と }} はそのまま", v), "単独の { と } と }} はそのまま");
}

TEST(Template, StandaloneSectionLinesDisappear) {
  const Value v = sample();
  EXPECT_EQ(render("a\n{{#items}}\n- {{.}}\n{{/items}}\nb\n", v), "a\n- 表示名\n- アイコン\nb\n");
  EXPECT_EQ(render("  {{#no}}  \nX\n  {{/no}}\nb", v), "b");
  EXPECT_EQ(render("{{! comment }}\nfirst", v), "first");
  EXPECT_EQ(render("x {{#yes}}\ny\n{{/yes}}", v), "x \ny\n");  // not alone on its line
  EXPECT_EQ(render("a\r\n{{#yes}}\r\nb\r\n{{/yes}}\r\n", v), "a\r\nb\r\n");
}

TEST(Template, EscapingPerOutputKind) {
  Value v = Value::table();
  v.set("name", "<b>\"A&B\"</b>'\x01\x7f\u202Eevil\u2066\r\nnext");
  EXPECT_EQ(render("{{name}}", v, Escaping::plain), "<b>\"A&B\"</b>'evil\nnext");
  EXPECT_EQ(render("{{name}}", v, Escaping::html),
            "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;&#39;evil\nnext");
  // Template text itself is not escaped: it is the city's own markup.
  EXPECT_EQ(render("<p>{{name}}</p>", Value::table(), Escaping::html), "<p></p>");
  EXPECT_EQ(escape_value("a\xff\xfe"
                         "b\xe3\x81",
                         Escaping::plain),
            "a\uFFFD\uFFFDb\uFFFD\uFFFD");
  EXPECT_EQ(escape_value("tab\tok", Escaping::html), "tab\tok");
}

TEST(Template, ParseErrorsHavePositions) {
  auto e = parse_error("line1\nab {{city");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 4);
  e = parse_error("{{#a}}x{{/b}}");
  EXPECT_EQ(e.column, 8);
  EXPECT_NE(e.message.find("{{#a}}"), std::string::npos);
  e = parse_error("x\n  {{#a}}never closed");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 3);
  e = parse_error("{{/a}}");
  EXPECT_EQ(e.column, 1);
  parse_error("{{{raw}}}");
  parse_error("{{&raw}}");
  parse_error("{{> partial}}");
  parse_error("{{bad name}}");
  parse_error("{{a..b}}");
  parse_error("{{}}");
  parse_error("{{#.}}x{{/.}}");
  std::string deep;
  for (int i = 0; i <= Template::kMaxDepth; ++i) deep += "{{#a}}";
  parse_error(deep);
  parse_error(std::string(Template::kMaxBytes + 1, 'x'));
  // Positions count characters, not bytes.
  e = parse_error("相馬市 {{oops");
  EXPECT_EQ(e.column, 5);
}

TEST(Template, CheckAgainstSchema) {
  TemplateSchema schema;
  schema["city"] = {TemplateVariable::Kind::text, {}};
  schema["flag"] = {TemplateVariable::Kind::flag, {}};
  schema["items"] = {TemplateVariable::Kind::text_list, {}};
  schema["rows"] = {TemplateVariable::Kind::table_list, {"label", "url"}};
  const auto check = [&](std::string_view src) {
    return Template::parse(src, nullptr)->check(schema);
  };
  EXPECT_TRUE(check("{{city}}{{#flag}}x{{/flag}}{{#items}}{{.}}{{/items}}"
                    "{{#rows}}{{label}}{{url}}{{city}}{{/rows}}{{^rows}}none{{/rows}}")
                  .empty());
  auto errors = check("a\n {{ciyt}}");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_EQ(errors[0].column, 2);
  EXPECT_EQ(check("{{items}}").size(), 1u);                // a list printed as text
  EXPECT_EQ(check("{{flag}}").size(), 1u);                 // a flag printed as text
  EXPECT_EQ(check("{{label}}").size(), 1u);                // a field outside its list
  EXPECT_EQ(check("{{.}}").size(), 1u);                    // no item here
  EXPECT_EQ(check("{{#rows}}{{.}}{{/rows}}").size(), 1u);  // rows are tables
  EXPECT_EQ(check("{{#rows}}{{lable}}{{/rows}}").size(), 1u);
}

}  // namespace
}  // namespace mamori::playbooks
