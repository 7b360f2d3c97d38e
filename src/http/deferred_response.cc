#include "ward/common/mutex.h"
#include "ward/http/deferred_response.h"

#include <utility>

namespace ward::http {

void DeferredResponse::end(std::optional<Result<HttpResponse>> answer, bool run_cancels) {
  std::function<void()> wake;
  std::vector<std::function<void()>> cancels;
  {
    MutexLock lock(mu_);
    if (ended_) return;
    ended_ = true;
    cancelled_ = !answer.has_value();
    answer_ = std::move(answer);
    producer_stopped_ = run_cancels;
    if (run_cancels) cancels.swap(on_cancel_);
    on_cancel_.clear();
    wake = wake_;
  }
  for (auto& fn : cancels) fn();
  if (wake) wake();
}

void DeferredResponse::complete(Result<HttpResponse> response) {
  end(std::move(response), /*run_cancels=*/false);
}

void DeferredResponse::cancel() { end(std::nullopt, /*run_cancels=*/true); }

void DeferredResponse::abandon(Status why) {
  end(Result<HttpResponse>(std::move(why)), /*run_cancels=*/true);
}

void DeferredResponse::onCancel(std::function<void()> fn) {
  {
    MutexLock lock(mu_);
    if (!ended_) {
      on_cancel_.push_back(std::move(fn));
      return;
    }
    if (!producer_stopped_) return;  // ended by complete(): the producer is done
  }
  fn();
}

void DeferredResponse::attach(std::function<void()> wake) {
  MutexLock lock(mu_);
  wake_ = std::move(wake);
}

std::optional<Result<HttpResponse>> DeferredResponse::take() {
  MutexLock lock(mu_);
  std::optional<Result<HttpResponse>> out;
  out.swap(answer_);
  return out;
}

bool DeferredResponse::cancelled() const {
  MutexLock lock(mu_);
  return cancelled_;
}

bool DeferredResponse::ended() const {
  MutexLock lock(mu_);
  return ended_;
}

}  // namespace ward::http
