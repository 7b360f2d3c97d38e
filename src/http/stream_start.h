// What the proxy's front doors (chat completions, responses, embeddings) share: the model
// service they need, and the start of a streamed answer whose fate is known to its handler only
// once the model answered: started (an HTTP 200 stream follows) or failed before anything was
// sent (an HTTP error).
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

#include "handlers.h"
#include "ward/common/status.h"
#include "ward/http/response_stream.h"
#include "ward/models/model_service.h"

namespace ward::http {

struct StreamStart {
  std::mutex mu;
  std::condition_variable cv;
  bool decided = false;  // guarded by mu
  Status status;         // guarded by mu

  void decide(Status s) {
    std::lock_guard lock(mu);
    if (decided) return;
    decided = true;
    status = std::move(s);
    cv.notify_all();
  }
  Status wait() {
    std::unique_lock lock(mu);
    cv.wait(lock, [this] { return decided; });
    return status;
  }
};

// The server's model service; Unavailable when it serves no models.
Result<models::ModelService*> requireModels(const Services& s);

// Runs `run` (which writes to `out` and decides `start`) on a stream thread (stream_threads.h:
// pooled, one per open stream), and answers once
// `start` is decided: its error when the stream failed before anything was sent, else a 200
// text/event-stream response reading `out`.
Result<HttpResponse> startEventStream(std::function<void()> run,
                                      const std::shared_ptr<StreamStart>& start,
                                      std::shared_ptr<ResponseStream> out);

}  // namespace ward::http
