// A response body produced while the request is still being served: Server-Sent Events for MCP
// (a tools/call that asks the client something, a standalone GET stream, a subscription). The
// handler returns at once with HttpResponse::stream set; any thread then write()s chunks and
// finally close()s. The server sends the body with chunked transfer encoding as chunks arrive.
//
// The stream is cancelled when the client goes away, when the server stops (unless it was
// already closed: then its end is still sent within the server's stop grace), or when more than
// `max_buffered` bytes already wait for a client that does not read: write() then returns false
// and the onCancel callbacks run, so a producer waiting on the client can give up. Below the
// limit a write is taken whole, so one message may exceed `max_buffered`.
//
// Thread-safe. Callbacks run without the stream's lock held and must not block.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "ward/common/mutex.h"

namespace ward::http {

class ResponseStream {
 public:
  explicit ResponseStream(size_t max_buffered = 4u << 20) : max_buffered_(max_buffered) {}

  // Queues bytes for the client. False (and nothing queued) once closed or cancelled; a write
  // while max_buffered bytes or more are already queued cancels the stream.
  bool write(std::string bytes);
  // Ends the body once the queued bytes are sent. Idempotent.
  void close();
  // Gives up: the connection is closed without finishing the body. Idempotent.
  void cancel();
  bool cancelled() const;
  bool closed() const;
  // Runs `fn` when the stream is cancelled (at once if it already is).
  void onCancel(std::function<void()> fn);

  // --- the server's side ---
  // `wake` is called (from any thread) whenever there is something new to take.
  void attach(std::function<void()> wake);
  // Moves the queued bytes to *out; *finished once closed and nothing is left.
  void take(std::string* out, bool* finished);

 private:
  void notify(std::function<void()> wake, std::vector<std::function<void()>> cancels);

  const size_t max_buffered_;
  mutable Mutex mu_;
  std::string queued_ WARD_GUARDED_BY(mu_);
  bool closed_ = false;
  bool cancelled_ = false;
  std::function<void()> wake_ WARD_GUARDED_BY(mu_);
  std::vector<std::function<void()>> on_cancel_ WARD_GUARDED_BY(mu_);
};

}  // namespace ward::http
