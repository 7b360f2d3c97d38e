#include "stream_start.h"

#include "stream_threads.h"

namespace ward::http {

Result<models::ModelService*> requireModels(const Services& s) {
  if (s.models == nullptr) return Status::unavailable("no models are served by this server");
  return s.models;
}

Result<HttpResponse> startEventStream(std::function<void()> run,
                                      const std::shared_ptr<StreamStart>& start,
                                      std::shared_ptr<ResponseStream> out) {
  WARD_RETURN_IF_ERROR(StreamThreads::shared().run(std::move(run)));
  WARD_RETURN_IF_ERROR(start->wait());
  HttpResponse r;
  r.content_type = "text/event-stream";
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.stream = std::move(out);
  return r;
}

}  // namespace ward::http
