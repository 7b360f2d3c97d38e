// LISTEN / NOTIFY wake-ups of the change feed (pg_listener.h).
#include "pg_listener.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ward::store::pg {

namespace {

class PgChangeListener final : public ChangeListener {
 public:
  PgChangeListener(std::unique_ptr<PgConn> conn, int read_fd, int write_fd)
      : conn_(std::move(conn)), wake_read_(read_fd), wake_write_(write_fd) {}
  ~PgChangeListener() override {
    ::close(wake_read_);
    ::close(wake_write_);
  }

  Result<bool> wait(std::chrono::milliseconds timeout) override {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      WARD_ASSIGN_OR_RETURN(int hints, conn_->takeNotifications("wait for changes"));
      if (hints > 0) return true;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      int sock = conn_->socket();
      if (sock < 0) return Status::unavailable("postgresql: wait for changes: connection lost");
      pollfd fds[2] = {{sock, POLLIN, 0}, {wake_read_, POLLIN, 0}};
      int n = ::poll(fds, 2, static_cast<int>(std::min<int64_t>(left.count(), 60'000)));
      if (n < 0 && errno != EINTR) {
        return Status::internal(std::string("wait for changes: poll: ") + std::strerror(errno));
      }
      if (n > 0 && (fds[1].revents & POLLIN) != 0) {
        char buf[64];
        while (::read(wake_read_, buf, sizeof buf) > 0) {
        }
        return false;
      }
      // Readable socket (a notice, or the connection closing): the next takeNotifications reads it.
    }
  }

  void interrupt() override {
    char one = 1;
    // A full pipe already holds a wake-up; nothing more to do then.
    [[maybe_unused]] ssize_t n = ::write(wake_write_, &one, 1);
  }

 private:
  std::unique_ptr<PgConn> conn_;
  int wake_read_;
  int wake_write_;
};

}  // namespace

Status notifyFollowers(PgConn& db) {
  return db.script("notify followers", std::string("NOTIFY ") + kChangeChannel);
}

Result<std::unique_ptr<ChangeListener>> openPgChangeListener(const std::string& url) {
  WARD_ASSIGN_OR_RETURN(std::unique_ptr<PgConn> conn, PgConn::connect(url));
  WARD_RETURN_IF_ERROR(conn->script("listen for changes", std::string("LISTEN ") + kChangeChannel));
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
    return Status::internal(std::string("listen for changes: pipe: ") + std::strerror(errno));
  }
  return std::unique_ptr<ChangeListener>(new PgChangeListener(std::move(conn), fds[0], fds[1]));
}

}  // namespace ward::store::pg
