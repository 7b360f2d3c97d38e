// libFuzzer target for what the MCP front door reads from a client before any method runs. The
// first byte picks the reader (its value modulo 4):
//   0: one stdio line / HTTP body: parseJson, then the JSON-RPC envelope (parseMessage) of the
//      message or of each element of a batch, then stringField on its params;
//   1: the Mcp-Param-* header check: a JSON object {"schema", "arguments", "headers"};
//   2: the Origin and Host headers (origin_check.h), the text split at the first newline;
//   3: a request-state token (request_state.h) opened with a fixed key.
// Checks that nothing crashes, that a message is exactly one of request, notification or
// response, and that an accepted Origin's host is one the Host parser accepts too.
// Seed corpus: tests/fuzz/corpus/mcp_message (messages the SDK clients send).
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "origin_check.h"
#include "param_headers.h"
#include "protocol.h"
#include "request_state.h"
#include "ward/common/json.h"

namespace {

void checkEnvelope(const ward::Json& j) {
  ward::mcp::Message m;
  auto err = ward::mcp::parseMessage(j, &m);
  if (err) {
    if (err->message.empty()) std::abort();
    return;
  }
  const int kinds = (m.is_request ? 1 : 0) + (m.is_notification ? 1 : 0) + (m.is_response ? 1 : 0);
  if (kinds != 1) std::abort();
  (void)ward::mcp::stringField(m.params, "name");
  (void)ward::mcp::stringField(m.params, "protocolVersion");
}

void readLine(std::string_view text) {
  auto parsed = ward::parseJson(text);
  if (!parsed.ok()) return;
  if (parsed->is_array()) {
    for (const auto& element : *parsed) checkEnvelope(element);
    return;
  }
  checkEnvelope(*parsed);
}

void checkHeaders(std::string_view text) {
  auto parsed = ward::parseJson(text);
  if (!parsed.ok() || !parsed->is_object()) return;
  const ward::Json& j = *parsed;
  std::map<std::string, std::string> headers;
  if (auto it = j.find("headers"); it != j.end() && it->is_object()) {
    for (const auto& [name, value] : it->items()) {
      if (value.is_string()) headers[name] = value.get<std::string>();
    }
  }
  const ward::Json schema = j.contains("schema") ? j["schema"] : ward::Json::object();
  const ward::Json arguments = j.contains("arguments") ? j["arguments"] : ward::Json::object();
  (void)ward::mcp::checkParamHeaders(schema, arguments, headers);
}

void checkOrigin(std::string_view text) {
  size_t nl = text.find('\n');
  std::string_view origin = text.substr(0, nl);
  std::string_view host = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  auto parsed = ward::mcp::parseOrigin(origin);
  (void)ward::mcp::parseHostPort(host);
  (void)ward::mcp::isLoopbackHostHeader(host);
  (void)ward::mcp::originAllowed(origin, {"https://app.example.com", "http://localhost:3000"});
  if (parsed.ok()) {
    std::string authority = parsed->authority.host;
    if (parsed->authority.port) authority += ":" + std::to_string(*parsed->authority.port);
    if (!ward::mcp::parseHostPort(authority).ok()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      readLine(text);
      break;
    case 1:
      checkHeaders(text);
      break;
    case 2:
      checkOrigin(text);
      break;
    default: {
      auto state = ward::mcp::openRequestState(std::string(text), std::string(32, 'k'), 0);
      if (!state.ok() && state.status().message().empty()) std::abort();
      break;
    }
  }
  return 0;
}
