// A minimal keep-alive HTTP/1.1 backend on loopback for the benchmarks: answers every request
// with one JSON invoice. One thread per connection. Also what the gateway and MCP benches share
// around it: the `lookup` tool definition that calls it, the direct libcurl baseline client and
// the libcurl sink that collects a response body.
#pragma once

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "ward/common/json.h"

namespace ward::bench {

// libcurl write callback: appends the received bytes to the std::string at `out`.
inline size_t appendToString(char* p, size_t s, size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, s * n);
  return s * n;
}

// The `lookup@1.0.0` tool over the backend at `port`: GET /invoices/{id} (a read tool), or POST
// for a write tool; input {id: "INV-<digits>"}, output {amount, currency}.
inline Json invoiceLookupTool(int port, bool write_tool) {
  return {{"name", "lookup"},
          {"version", "1.0.0"},
          {"description", "bench"},
          {"risk", write_tool ? "write" : "read"},
          {"input_schema",
           {{"type", "object"},
            {"properties", {{"id", {{"type", "string"}, {"pattern", "^INV-[0-9]+$"}}}}},
            {"required", {"id"}},
            {"additionalProperties", false}}},
          {"output_schema",
           {{"type", "object"},
            {"properties", {{"amount", {{"type", "number"}}}, {"currency", {{"type", "string"}}}}},
            {"required", {"amount", "currency"}}}},
          {"backend",
           {{"type", "http"},
            {"method", write_tool ? "POST" : "GET"},
            {"url", "http://127.0.0.1:" + std::to_string(port) + "/invoices/{id}"},
            {"allow_private", true}}}};
}

// The baseline the overhead benches compare against: GET /invoices/INV-1 straight from the
// backend on one keep-alive libcurl handle. One thread at a time.
class DirectInvoiceClient {
 public:
  explicit DirectInvoiceClient(int port)
      : url_("http://127.0.0.1:" + std::to_string(port) + "/invoices/INV-1"),
        h_(curl_easy_init()) {}
  ~DirectInvoiceClient() { curl_easy_cleanup(h_); }
  DirectInvoiceClient(const DirectInvoiceClient&) = delete;
  DirectInvoiceClient& operator=(const DirectInvoiceClient&) = delete;

  // True when the transfer succeeded.
  bool get() {
    body_.clear();
    curl_easy_setopt(h_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(h_, CURLOPT_WRITEFUNCTION, appendToString);
    curl_easy_setopt(h_, CURLOPT_WRITEDATA, &body_);
    curl_easy_setopt(h_, CURLOPT_NOSIGNAL, 1L);
    return curl_easy_perform(h_) == CURLE_OK;
  }

 private:
  std::string url_, body_;
  CURL* h_;
};

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
