#include "ward/common/mutex.h"
#include "ward/http/response_stream.h"

#include <utility>

namespace ward::http {

void ResponseStream::notify(std::function<void()> wake,
                            std::vector<std::function<void()>> cancels) {
  for (auto& fn : cancels) fn();
  if (wake) wake();
}

bool ResponseStream::write(std::string bytes) {
  std::function<void()> wake;
  std::vector<std::function<void()>> cancels;
  bool taken = true;
  {
    MutexLock lock(mu_);
    if (closed_ || cancelled_) return false;
    if (queued_.size() >= max_buffered_) {
      // The client stopped reading: holding more would let it grow Ward's memory without bound.
      // Below the limit a write is taken whole, so one message larger than the limit (a big
      // tool result after a progress notification; its size is bounded by the producer) still
      // goes out: memory stays under the limit plus one message.
      cancelled_ = true;
      taken = false;
      queued_.clear();
      cancels.swap(on_cancel_);
    } else {
      queued_ += bytes;
    }
    wake = wake_;
  }
  notify(std::move(wake), std::move(cancels));
  return taken;
}

void ResponseStream::close() {
  std::function<void()> wake;
  {
    MutexLock lock(mu_);
    if (closed_ || cancelled_) return;
    closed_ = true;
    wake = wake_;
  }
  if (wake) wake();
}

void ResponseStream::cancel() {
  std::function<void()> wake;
  std::vector<std::function<void()>> cancels;
  {
    MutexLock lock(mu_);
    if (cancelled_) return;
    cancelled_ = true;
    queued_.clear();
    cancels.swap(on_cancel_);
    wake = wake_;
  }
  notify(std::move(wake), std::move(cancels));
}

bool ResponseStream::cancelled() const {
  MutexLock lock(mu_);
  return cancelled_;
}

bool ResponseStream::closed() const {
  MutexLock lock(mu_);
  return closed_ || cancelled_;
}

void ResponseStream::onCancel(std::function<void()> fn) {
  {
    MutexLock lock(mu_);
    if (!cancelled_) {
      on_cancel_.push_back(std::move(fn));
      return;
    }
  }
  fn();
}

void ResponseStream::attach(std::function<void()> wake) {
  {
    MutexLock lock(mu_);
    wake_ = std::move(wake);
  }
}

void ResponseStream::take(std::string* out, bool* finished) {
  MutexLock lock(mu_);
  out->swap(queued_);
  queued_.clear();
  *finished = cancelled_ || (closed_ && out->empty());
}

}  // namespace ward::http
