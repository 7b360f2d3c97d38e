// ward ask "QUESTION" --as USER [--agent A] [--model NAME] [--k N] [--json]
// ward prompts list | ward prompts show NAME[@VERSION]
#include <iostream>

#include "commands.h"
#include "ward/answer/answer_service.h"
#include "ward/answer/prompt_templates.h"

namespace ward::cli {

namespace {

// A quote on one line for the terminal (the JSON keeps the source's bytes).
std::string oneLine(const std::string& s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

void printHuman(const answer::AnswerResult& r) {
  std::cout << r.answer << "\n\n";
  std::cout << "(" << (r.mode == answer::AnswerMode::kModel ? "model " + r.model : "extractive")
            << " answer; trace " << r.trace_id << ")\n";
  const auto cites = r.shownCitations();
  if (!cites.empty()) std::cout << "\nCitations:\n";
  int i = 0;
  for (const answer::Citation& c : cites) {
    std::cout << "  [" << ++i << "] " << c.doc_id << " (v" << c.version << ", chunk " << c.chunk
              << ", chars " << c.char_start << "-" << c.char_end << "): \"" << oneLine(c.quote)
              << "\"\n";
  }
  int unsupported = 0;
  for (const auto& s : r.sentences) unsupported += s.supported() ? 0 : 1;
  if (unsupported > 0) {
    std::cout << "\n" << unsupported << " sentence(s) without a verified citation:\n";
    for (const auto& s : r.sentences) {
      if (!s.supported()) std::cout << "  - " << s.text << "\n";
    }
  }
  if (!r.removed_links.empty()) {
    std::cout << "\n" << r.removed_links.size() << " link(s) to hosts not allowed were removed\n";
  }
}

}  // namespace

void registerAskCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  auto* cmd = app.add_subcommand(
      "ask", "Answer a question as a user, from what they may read, with verified citations");
  static std::string question, as, agent, model;
  static int k = 0;
  static bool json = false;
  cmd->add_option("QUESTION", question, "The question")->required();
  cmd->add_option("--as", as, "The user (or service account) asking")->required();
  cmd->add_option("--agent", agent, "An agent acting for the user (reads its scope only)");
  cmd->add_option("--model", model, "A [[models]] name (default answer.model; none: extractive)");
  cmd->add_option("--k", k, "Passages to retrieve, 1..answer.max_k (default answer.default_k)");
  cmd->add_flag("--json", json, "Print the whole answer object as JSON");
  cmd->callback([&ctx, &slot, cmd] {
    const bool k_given = cmd->count("--k") > 0;
    slot.run = [&ctx, k_given] {
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      auto who = ctx.principal(as);
      if (!who.ok()) return fail(who.status());
      answer::AnswerRequest req;
      req.question = question;
      req.model = model;
      if (k_given) req.k = k;
      if (!agent.empty()) {
        auto a = ctx.principal(agent);
        if (!a.ok()) return fail(a.status());
        auto acting = identity::resolveActingFor(ctx.store(), *who, *a);
        if (!acting.ok()) return fail(acting.status());
        req.agent = *a;
        who = std::move(acting);
      }
      auto config = answer::loadAnswerConfig(ctx.configPath());
      if (!config.ok()) return fail(config.status());
      auto service = openAnswerService(ctx, !model.empty() || !config->model.empty());
      if (!service.ok()) return fail(service.status());
      auto r = (*service)->ask(*who, req, trace::TraceContext::generate());
      if (!r.ok()) return fail(r.status());
      if (json) {
        std::cout << dumpJson(r->toJson(), 2) << "\n";
      } else {
        printHuman(*r);
      }
      return 0;
    };
  });

  auto* prompts = app.add_subcommand("prompts", "The prompt templates built into Ward");
  prompts->require_subcommand(1);
  auto* list = prompts->add_subcommand("list", "Every template: name, version, SHA-256");
  list->callback([&slot] {
    slot.run = [] {
      for (const answer::PromptTemplate& t : answer::builtinPromptTemplates()) {
        std::cout << t.name << "@" << t.version << "  sha256:" << t.sha256 << "\n";
      }
      return 0;
    };
  });
  auto* show = prompts->add_subcommand("show", "Print one template (NAME or NAME@VERSION)");
  static std::string name;
  show->add_option("NAME", name, "Template name, optionally @VERSION")->required();
  show->callback([&slot] {
    slot.run = [] {
      const answer::PromptTemplate* t = answer::findPromptTemplate(name);
      if (t == nullptr) return fail(Status::notFound("no prompt template '" + name + "'"));
      std::cout << "# " << t->name << "@" << t->version << "  sha256:" << t->sha256 << "\n"
                << t->text;
      return 0;
    };
  });
}

}  // namespace ward::cli
