#include <gtest/gtest.h>

#include "ward/ingest/parser.h"

namespace ward::ingest {
namespace {

struct Unit {
  std::string symbol;
  std::string text;
};

std::vector<Unit> units(std::string_view source, std::string_view filename) {
  auto r = extractDocument("code", source, filename);
  EXPECT_TRUE(r.ok());
  std::vector<Unit> out;
  if (!r.ok()) return out;
  EXPECT_EQ(r->text, source);
  size_t last = 0;
  for (const auto& b : r->blocks) {
    EXPECT_EQ(b.kind, Block::Kind::kCode);
    EXPECT_LE(last, b.start);
    last = b.end;
    out.push_back({b.symbol, r->text.substr(b.start, b.end - b.start)});
  }
  return out;
}

std::vector<std::string> symbols(const std::vector<Unit>& us) {
  std::vector<std::string> out;
  for (const auto& u : us) out.push_back(u.symbol);
  return out;
}

const Unit* find(const std::vector<Unit>& us, std::string_view symbol) {
  for (const auto& u : us) {
    if (u.symbol == symbol) return &u;
  }
  return nullptr;
}

TEST(CodeParserTest, Python) {
  const char* src =
      "import os\n\n"
      "# Adds numbers.\n"
      "def add(a, b):\n"
      "    \"\"\"Docstring.\n\ndef fake(): inside the docstring\n\"\"\"\n"
      "    return a + b\n\n"
      "class Greeter:\n"
      "    greeting = 'hi'\n\n"
      "    @staticmethod\n"
      "    def hello(name):\n"
      "        return name\n\n"
      "    async def bye(self):\n"
      "        pass\n\n"
      "@decorator\n"
      "def decorated(\n"
      "    x,\n"
      "):\n"
      "    return x\n\n"
      "if __name__ == '__main__':\n"
      "    add(1, 2)\n";
  auto us = units(src, "m.py");
  EXPECT_EQ(symbols(us), (std::vector<std::string>{"", "add", "Greeter", "Greeter.hello",
                                                   "Greeter.bye", "decorated", ""}));
  const Unit* add = find(us, "add");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->text.rfind("# Adds numbers.", 0), 0u);
  EXPECT_NE(add->text.find("return a + b"), std::string::npos);
  EXPECT_EQ(find(us, "Greeter.hello")->text.rfind("    @staticmethod", 0), 0u);
  EXPECT_NE(find(us, "decorated")->text.find("return x"), std::string::npos);
}

TEST(CodeParserTest, Go) {
  const char* src =
      "package main\n\nimport \"fmt\"\n\n"
      "// Server serves.\n"
      "type Server struct {\n\tname string\n}\n\n"
      "// Start starts it.\n"
      "func (s *Server) Start() error {\n\tif s == nil {\n\t\treturn nil\n\t}\n"
      "\tfmt.Println(\"{ not a brace\")\n\treturn nil\n}\n\n"
      "func main() {\n\ts := `raw {`\n\t_ = s\n}\n";
  auto us = units(src, "main.go");
  EXPECT_EQ(symbols(us), (std::vector<std::string>{"", "Server", "Server.Start", "main"}));
  EXPECT_EQ(find(us, "Server.Start")->text.rfind("// Start starts it.", 0), 0u);
  EXPECT_NE(find(us, "Server.Start")->text.find("return nil\n}"), std::string::npos);
}

TEST(CodeParserTest, Cpp) {
  const char* src =
      "#include <vector>\n"
      "#define MAX(a, b) ((a) > (b) ? (a) : (b))\n\n"
      "namespace app {\n\n"
      "int helper(int x);\n\n"
      "/* Counts things. */\n"
      "class Counter {\n public:\n"
      "  int get() const {\n    return n_;\n  }\n"
      "  void bump();\n"
      " private:\n  int n_ = 0;\n};\n\n"
      "void Counter::bump() {\n  if (n_ > 0) {\n    ++n_;\n  }\n}\n\n"
      "template <typename T>\n"
      "T maxOf(T a, T b) {\n  return a > b ? a : b;\n}\n\n"
      "}  // namespace app\n\n"
      "int main(int argc, char** argv) {\n  const char* s = \"}\";\n  return 0;\n}\n";
  auto us = units(src, "a.cpp");
  EXPECT_EQ(symbols(us), (std::vector<std::string>{"", "Counter", "Counter.get", "Counter",
                                                   "Counter::bump", "maxOf", "", "main"}));
  EXPECT_EQ(find(us, "maxOf")->text.rfind("template <typename T>", 0), 0u);
  EXPECT_EQ(find(us, "Counter")->text.rfind("/* Counts things. */", 0), 0u);
}

TEST(CodeParserTest, JavaScriptAndTypeScript) {
  const char* src =
      "import x from 'y';\n\n"
      "export function parse(input) {\n  return { a: 1 };\n}\n\n"
      "const handler = async (req, res) => {\n  res.send('}');\n};\n\n"
      "export default class Store {\n"
      "  constructor(db) {\n    this.db = db;\n  }\n\n"
      "  async load(id) {\n    if (!id) {\n      return null;\n    }\n"
      "    return this.db.get(`k{${id}`);\n  }\n}\n\n"
      "app.get('/x', handler);\n";
  auto us = units(src, "a.js");
  EXPECT_EQ(symbols(us), (std::vector<std::string>{"", "parse", "handler", "Store",
                                                   "Store.constructor", "Store.load", ""}));
  auto ts = units(
      "interface Opts {\n  size: number;\n}\n\n"
      "export async function run(o: Opts): Promise<void> {\n  return;\n}\n",
      "a.ts");
  EXPECT_EQ(symbols(ts), (std::vector<std::string>{"Opts", "run"}));
}

TEST(CodeParserTest, Rust) {
  const char* src =
      "use std::fmt;\n\n"
      "/// A point.\n#[derive(Debug)]\n"
      "pub struct Point {\n    x: i32,\n}\n\n"
      "impl<'a> fmt::Display for Point {\n"
      "    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {\n"
      "        write!(f, \"{}\", self.x)\n    }\n}\n\n"
      "pub(crate) fn longest<'a>(a: &'a str, b: &'a str) -> &'a str {\n"
      "    let c = '{';\n    if a.len() > b.len() { a } else { b }\n}\n";
  auto us = units(src, "lib.rs");
  EXPECT_EQ(symbols(us), (std::vector<std::string>{"", "Point", "Point", "Point.fmt", "longest"}));
  EXPECT_EQ(us[1].text.rfind("/// A point.\n#[derive(Debug)]", 0), 0u);
}

TEST(CodeParserTest, Java) {
  const char* src =
      "package com.example;\n\nimport java.util.List;\n\n"
      "/** Orders. */\n"
      "public class OrderService {\n"
      "    private final List<String> items;\n\n"
      "    public OrderService(List<String> items) {\n        this.items = items;\n    }\n\n"
      "    @Override\n"
      "    public String toString() {\n        return \"{\" + items + \"}\";\n    }\n"
      "}\n";
  auto us = units(src, "OrderService.java");
  EXPECT_EQ(symbols(us), (std::vector<std::string>{"", "OrderService", "OrderService.OrderService",
                                                   "OrderService.toString"}));
  EXPECT_EQ(find(us, "OrderService.toString")->text.rfind("    @Override", 0), 0u);
}

TEST(CodeParserTest, ShellAndRubyAndEmpty) {
  auto sh = units("#!/bin/sh\n# it's a comment {\ngreet() {\n  echo \"hi\"\n}\ngreet\n", "a.sh");
  // Comment lines right above a unit belong to it.
  EXPECT_EQ(symbols(sh), (std::vector<std::string>{"greet", ""}));
  auto rb =
      units("require 'x'\n\nclass Foo\n  def bar\n    1\n  end\nend\n\ndef baz\nend\n", "a.rb");
  EXPECT_EQ(symbols(rb), (std::vector<std::string>{"", "Foo", "Foo.bar", "baz"}));
  EXPECT_TRUE(units("", "a.c").empty());
  EXPECT_TRUE(units("\n\n", "a.py").empty());
}

}  // namespace
}  // namespace ward::ingest
