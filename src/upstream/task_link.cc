#include "ward/common/mutex.h"
#include "ward/upstream/task_link.h"

namespace ward::upstream {

void UpstreamTaskLinks::add(const std::string& task_id, const std::string& tenant,
                            int64_t principal_id, std::shared_ptr<UpstreamTaskLink> link) {
  MutexLock lock(mu_);
  links_[task_id] = Entry{tenant, principal_id, std::move(link)};
}

void UpstreamTaskLinks::remove(const std::string& task_id) {
  MutexLock lock(mu_);
  links_.erase(task_id);
}

std::shared_ptr<UpstreamTaskLink> UpstreamTaskLinks::find(const std::string& task_id,
                                                          const std::string& tenant,
                                                          int64_t principal_id) const {
  MutexLock lock(mu_);
  auto it = links_.find(task_id);
  if (it == links_.end() || it->second.tenant != tenant ||
      it->second.principal_id != principal_id) {
    return nullptr;
  }
  return it->second.link;
}

}  // namespace ward::upstream
