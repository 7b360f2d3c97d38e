// What the REST API calls into. Non-owning: every pointer must outlive the server that uses it.
#pragma once

#include "ward/common/config.h"

namespace ward::store {
class Store;
}
namespace ward::search {
class SearchService;
}
namespace ward::ingest {
class IngestService;
}
namespace ward::index {
class Index;
}
namespace ward::trace {
class TraceSink;
}  // namespace ward::trace
namespace ward::audit {
class TraceService;
class SubjectKeyStore;
}  // namespace ward::audit
namespace ward::gateway {
class ToolGateway;
}
namespace ward::models {
class ModelService;
}
namespace ward::answer {
class AnswerService;
}

namespace ward::http {

struct Services {
  store::Store* store = nullptr;
  search::SearchService* search = nullptr;
  ingest::IngestService* ingest = nullptr;
  index::Index* index = nullptr;
  trace::TraceSink* traces = nullptr;
  gateway::ToolGateway* gateway = nullptr;  // tool routes answer Unavailable when null
  const WardConfig* config = nullptr;
  audit::TraceService* trace_service = nullptr;  // trace routes answer Unavailable when null
  audit::SubjectKeyStore* audit_keys = nullptr;  // null: erasure answers FailedPrecondition
  models::ModelService* models = nullptr;  // /v1/chat/completions, /v1/models: Unavailable if null
  answer::AnswerService* answers = nullptr;  // POST /v1/answers: Unavailable if null
};

}  // namespace ward::http
