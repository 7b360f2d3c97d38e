// A minimal keep-alive HTTP/1.1 backend on loopback for the benchmarks: answers every request
// with one JSON invoice. One thread per connection.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

namespace ward::bench {

// A minimal keep-alive HTTP/1.1 backend on loopback: answers every request with one JSON body.
class LoopbackBackend {
 public:
  LoopbackBackend() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 16);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { acceptLoop(); });
  }
  ~LoopbackBackend() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    acceptor_.join();  // connection threads are detached: clients may still hold keep-alives
  }
  int port() const { return port_; }

 private:
  void acceptLoop() {
    for (;;) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      int one = 1;
      setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::thread([c] { serve(c); }).detach();
    }
  }
  static void serve(int c) {
    static const std::string body = R"({"id":"INV-1","amount":12.5,"currency":"EUR","ok":true})";
    const std::string resp =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    std::string buf;
    char tmp[8192];
    for (;;) {
      size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = read(c, tmp, sizeof tmp);
        if (n <= 0) {
          close(c);
          return;
        }
        buf.append(tmp, static_cast<size_t>(n));
      }
      size_t need = 0;
      size_t cl = buf.find("Content-Length: ");
      if (cl == std::string::npos) cl = buf.find("content-length: ");
      if (cl != std::string::npos && cl < end) need = std::stoul(buf.substr(cl + 16));
      while (buf.size() < end + 4 + need) {
        ssize_t n = read(c, tmp, sizeof tmp);
        if (n <= 0) {
          close(c);
          return;
        }
        buf.append(tmp, static_cast<size_t>(n));
      }
      buf.erase(0, end + 4 + need);
      if (write(c, resp.data(), resp.size()) < 0) {
        close(c);
        return;
      }
    }
  }
  int fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
};

}  // namespace ward::bench
