#include "session_taint.h"

#include <algorithm>

#include "mcp_impl.h"
#include "ward/gateway/untrusted_gate.h"

namespace ward::mcp {

void addTaintSources(gateway::TurnTaint& taint, const std::vector<std::string>& sources) {
  taint.untrusted = true;
  for (const std::string& s : sources) {
    auto& have = taint.sources;
    if (std::find(have.begin(), have.end(), s) != have.end()) continue;
    if (have.size() >= gateway::kMaxTaintSources) {
      if (have.back() != gateway::kTaintOverflowSource) have.back() = gateway::kTaintOverflowSource;
      return;
    }
    have.push_back(s);
  }
}

std::vector<std::string> toolResultSources(const std::string& tool, const std::string& backend,
                                           const Json& value) {
  std::vector<std::string> out;
  if (backend == "mcp") {
    // Upstream tools are imported as "<upstream>.<tool>".
    const size_t dot = tool.find('.');
    out.push_back("upstream:" + (dot == std::string::npos ? tool : tool.substr(0, dot)));
    return out;
  }
  if (backend == "builtin" && value.is_object()) {
    if (value.contains("hits") && value["hits"].is_array()) {  // search: the documents it found
      for (const Json& h : value["hits"]) {
        if (h.is_object() && h.contains("doc_id") && h["doc_id"].is_string()) {
          out.push_back("doc:" + h["doc_id"].get<std::string>());
        }
      }
      return out;  // no hit, no content read
    }
    if (value.contains("retrieved_docs") && value["retrieved_docs"].is_array()) {
      // ask: the documents the answer read (its text and quotes come from them)
      for (const Json& d : value["retrieved_docs"]) {
        if (d.is_string()) out.push_back("doc:" + d.get<std::string>());
      }
      return out;
    }
    if (value.contains("id") && value["id"].is_string()) {  // fetch: the document
      out.push_back("doc:" + value["id"].get<std::string>());
      return out;
    }
  }
  out.push_back("tool:" + tool);
  return out;
}

gateway::TurnTaint McpServer::Impl::sessionTaint(const Exchange& x) {
  if (!x.session) return {};
  // The table, not the request's copy: another request of the session may have read since.
  auto fresh = sessions.get(x.session->id, x.principal->id);
  return fresh.ok() ? fresh->taint : x.session->taint;
}

void McpServer::Impl::noteRead(Exchange& x, const std::vector<std::string>& sources) {
  if (!x.session || sources.empty()) return;
  sessions.update(x.session->id, [&](Session& s) { addTaintSources(s.taint, sources); });
  addTaintSources(x.session->taint, sources);
}

}  // namespace ward::mcp
