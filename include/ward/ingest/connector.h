// The connector contract (docs/design/ingest.md, "Connectors"): a connector lists a source and
// yields one stream of events; the sync runner (sync_runner.h) turns them into committed,
// checkpointed batches. Connectors register by name (connector_registry.cc), one folder each
// under src/ingest/connectors/.
//
// Document bytes never set a document's id, ACL, source or owner: the id and ACL come from the
// event's fields (the connector's authenticated channel) or the source's config rules, and the
// source is the configured source's name.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/ingest/source_config.h"
#include "ward/store/records.h"

namespace ward::ingest {

// One item of the listing, created or perhaps changed. `fetch` reads its bytes; the runner calls
// it only when `version` differs from the indexed one (or on --full).
struct UpsertEvent {
  std::string id;       // the document's ext_id
  std::string version;  // changes whenever the bytes may have ("" = unknown: always fetched)
  std::string name;     // a file name; its extension picks the parser
  std::string title;    // "" = the parser's (a heading, else the name)
  std::string url;
  std::optional<store::Acl> acl;  // none: the source's ACL rules decide
  Json metadata = Json::object();
  std::string parent;      // the containing item's id ("" = none)
  int64_t updated_at = 0;  // micros
  std::function<Result<std::string>()> fetch;
};
struct DeleteEvent {
  std::string id;
};
struct AclUpdateEvent {
  std::string id;
  store::Acl acl;
};
enum class FailureKind {
  kError,    // the item exists but could not be read: protected from deletion, run is partial
  kRefused,  // never a document (a link out of the root, a device, a FIFO, too deep)
};
struct FailureEvent {
  std::string entity;  // an item id, or a path for the operator
  std::string reason;  // one line
  FailureKind kind = FailureKind::kError;
  // The source's rate-limit signal (a 429's Retry-After, in seconds; 0 = none): `ward serve`
  // runs the source again no sooner (sync_health.h, capped at kMaxRetryAfterSeconds).
  int64_t retry_after_s = 0;
};
// The position after every event before it; the runner commits the batch with it.
struct CheckpointEvent {
  std::string opaque;
  int64_t retry_after_s = 0;  // as FailureEvent's: the pass stops here to respect a rate limit
};
// The whole membership of one of the source's groups: the group's members become exactly
// `members` (principal names of the tenant) in the batch's transaction. A group is the source's
// when the source created it; groups of Ward admins, of other sources and the role groups are
// refused (docs/design/ingest.md, "Group membership").
struct GroupUpdateEvent {
  std::string group;
  std::vector<std::string> members;
};

using SyncEvent = std::variant<UpsertEvent, DeleteEvent, AclUpdateEvent, FailureEvent,
                               CheckpointEvent, GroupUpdateEvent>;

struct ConnectorCapabilities {
  bool full_listing = true;       // required: a pass lists every id (deletions are detected by it)
  bool change_feed = false;       // a pass may start from a cursor and yield only changes
  bool document_acls = false;     // upserts carry the source's own ACLs
  bool group_membership = false;  // passes yield GroupUpdateEvents
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  // An error stops the pass.
  virtual Status emit(SyncEvent event) = 0;
};

class Connector {
 public:
  virtual ~Connector() = default;
  virtual ConnectorCapabilities capabilities() const = 0;
  // One pass over the listing, starting after `checkpoint` ("" = from the start). Sets
  // `*exhausted` when the listing reached its end (false when it stopped at a limit); an error
  // means the pass could not go on (the run is then failed and deletes nothing).
  virtual Status pass(const std::string& checkpoint, EventSink& sink, bool* exhausted) = 0;
  // After pass(): whether it was a change-feed pass (capabilities().change_feed) that yielded only
  // the changes since ConnectorEnv::cursor. The runner then deletes only what the pass's Delete
  // events name (the items it did not list are unchanged, not gone).
  virtual bool incrementalPass() const { return false; }
  // After pass(): the HTTP requests it made to the source's API (a service connector's
  // ServiceClient::requests(); 0 for connectors that make none). The runner adds it to the run
  // record's `requests`, so an operator sees what an incremental run cost.
  virtual int64_t requests() const { return 0; }
};

// What connectors may need from the host.
struct ConnectorEnv {
  std::vector<std::string> refused_dirs;  // never read (Ward's data dir)
  uint64_t max_file_bytes = 0;            // ingest.max_file_bytes
  // A folder of Ward's data dir where connectors keep their state (the git connector's mirrors);
  // "" = none (a connector that needs it fails to open).
  std::string state_dir;
  // Reads one of the tenant's secrets (`ward secrets set NAME`): a source's token_secret. Null: a
  // source that names one fails to open.
  std::function<Result<std::string>(const std::string& name)> secret;
  // Set by the runner for each run: `ward sync --full` (a change-feed connector lists everything),
  // and the checkpoint of the source's last completed run ("" = none), where a change feed starts.
  bool full = false;
  std::string cursor;
};

using ConnectorFactory =
    std::function<Result<std::unique_ptr<Connector>>(const SourceConfig&, const ConnectorEnv&)>;

// The connector registered as `source.connector`; InvalidArgument names the known ones.
Result<std::unique_ptr<Connector>> makeConnector(const SourceConfig& source,
                                                 const ConnectorEnv& env);
// Registered connector names, sorted.
std::vector<std::string> connectorNames();

}  // namespace ward::ingest
