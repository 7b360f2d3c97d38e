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
#include "ward/common/mutex.h"
#include "ward/common/status.h"
#include "ward/http/response_stream.h"
#include "ward/models/model_service.h"

namespace ward::http {

struct StreamStart {
  Mutex mu;
  CondVar cv;
  bool decided WARD_GUARDED_BY(mu) = false;
  Status status WARD_GUARDED_BY(mu);

  void decide(Status s) {
    MutexLock lock(mu);
    if (decided) return;
    decided = true;
    status = std::move(s);
    cv.notifyAll();
  }
  Status wait() {
    MutexLock lock(mu);
    cv.wait(lock, [this]() WARD_REQUIRES(mu) { return decided; });
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
