// A response completed later, by any thread, while no worker thread waits for it: the handler
// returns HttpResponse::later(d) at once, and whoever produces the answer (the gateway's
// approval waiter) calls d->complete(...). The server then writes it like any response and closes
// the connection (a deferred response is never kept alive: the socket is read meanwhile to notice
// a client that goes away).
//
// Ends exactly once, by the first of: complete() (the answer, or an error Status the server
// renders as JSON), cancel() (the client went away: nothing is written) or abandon() (the server
// stops: the given Status is written). cancel() and abandon() run the onCancel callbacks so the
// producer can stop; complete() does not.
//
// Thread-safe. Callbacks run without the lock held and must not block.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "ward/common/mutex.h"
#include "ward/common/status.h"
#include "ward/http/http_message.h"

namespace ward::http {

class DeferredResponse {
 public:
  // The producer's answer. Ignored once the response ended.
  void complete(Result<HttpResponse> response);
  // The client went away: nothing will be written.
  void cancel();
  // The server stops: `why` is written instead of the answer.
  void abandon(Status why);
  // Runs `fn` on cancel() or abandon() (at once if one already happened).
  void onCancel(std::function<void()> fn);

  // --- the server's side ---
  // `wake` is called (from any thread) when the response ended.
  void attach(std::function<void()> wake);
  // The answer once complete()d or abandon()ed; nullopt while pending or after cancel().
  std::optional<Result<HttpResponse>> take();
  bool cancelled() const;
  bool ended() const;

 private:
  void end(std::optional<Result<HttpResponse>> answer, bool run_cancels);

  mutable Mutex mu_;
  bool ended_ WARD_GUARDED_BY(mu_) = false;
  bool cancelled_ WARD_GUARDED_BY(mu_) = false;
  bool producer_stopped_ WARD_GUARDED_BY(mu_) = false;  // ended by cancel/abandon
  std::optional<Result<HttpResponse>> answer_ WARD_GUARDED_BY(mu_);
  std::function<void()> wake_ WARD_GUARDED_BY(mu_);
  std::vector<std::function<void()>> on_cancel_ WARD_GUARDED_BY(mu_);
};

}  // namespace ward::http
