// One HTTP connection: reads requests one after another (keep-alive), runs each through the
// server (HttpServer::Impl::handle) and writes its response, or streams it (ResponseStream).
#include <array>
#include <sstream>
#include <vector>
#include <boost/beast/http.hpp>

#include "server_impl.h"
#include "ward/http/deferred_response.h"
#include "ward/http/error_mapping.h"

namespace ward::http {

namespace bhttp = boost::beast::http;

namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kLastChunk = "0\r\n\r\n";  // the last chunk, no trailers

std::string toHex(size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  do {
    out.insert(out.begin(), kDigits[n & 0xf]);
    n >>= 4;
  } while (n != 0);
  return out;
}
// After a 413 the unread rest of the body is drained (up to this much) so that closing the socket
// does not reset the connection before the client has read the error.
constexpr size_t kMaxDrainBytes = 256u << 20;
constexpr std::chrono::seconds kDrainTimeout{5};

std::string lowercase(boost::beast::string_view s) {
  std::string out(s.data(), s.size());
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// One connection: reads requests one after another (keep-alive) and writes each response.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl& server)
      : stream_(std::move(socket)), server_(server) {}
  ~Session() {
    if (out_) {  // defensive: a streamed response must never leave the in-flight count raised
      out_->cancel();
      out_->attach(nullptr);
      server_.inFlight()--;
    }
    if (deferred_) {  // the same for a deferred one
      deferred_->attach(nullptr);
      deferred_->cancel();
      server_.inFlight()--;
    }
  }

  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->readHeader(); });
  }

 private:
  void readHeader() {
    parser_.emplace();
    parser_->body_limit(server_.options().max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(server_.options().max_header_bytes));
    stream_.expires_after(server_.options().read_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->onHeader(ec); });
  }

  void onHeader(beast::error_code ec) {
    if (ec) return onReadError(ec);
    started_ = std::chrono::steady_clock::now();
    const auto& req = parser_->get();
    auto expect = req.find(bhttp::field::expect);
    if (expect != req.end() && lowercase(expect->value()) == "100-continue") {
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code ec, size_t) {
                         if (ec) return self->close();
                         self->readBody();
                       });
      return;
    }
    readBody();
  }

  void readBody() {
    stream_.expires_after(server_.options().read_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->onRead(ec); });
  }

  void onReadError(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return writeFramingError(
          Status::resourceExhausted("request body exceeds the limit of " +
                                    std::to_string(server_.options().max_body_bytes) + " bytes"),
          ErrorOrigin::kBodyTooLarge, /*drain=*/true);
    }
    if (ec == bhttp::error::header_limit) {
      return writeFramingError(
          Status::resourceExhausted("request headers exceed the limit of " +
                                    std::to_string(server_.options().max_header_bytes) + " bytes"),
          ErrorOrigin::kHeadersTooLarge, /*drain=*/false);
    }
    bool parse_error = ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
    if (parse_error && ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      return writeFramingError(Status::invalidArgument("malformed HTTP request: " + ec.message()),
                               ErrorOrigin::kHandler, /*drain=*/false);
    }
    // Peer closed, went idle past the read timeout, or a socket error: nothing useful to write.
    close();
  }

  HttpRequest toRequest(bhttp::request<bhttp::string_body>& req) {
    HttpRequest out;
    out.method = std::string(req.method_string());
    out.target = std::string(req.target());
    for (const auto& field : req) {
      std::string name = lowercase(field.name_string());
      auto [it, inserted] = out.headers.emplace(name, std::string(field.value()));
      if (!inserted) it->second += ", " + std::string(field.value());
    }
    out.body = std::move(req.body());
    if (!remote_known_) {  // one getpeername per connection, not per request
      remote_known_ = true;
      beast::error_code ec;
      auto remote = stream_.socket().remote_endpoint(ec);
      if (!ec) remote_ = remote.address().to_string() + ":" + std::to_string(remote.port());
    }
    out.remote_address = remote_;
    return out;
  }

  void onRead(beast::error_code ec) {
    if (ec) return onReadError(ec);
    server_.inFlight()++;
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive() && !server_.stopping();
    version_ = req.version();
    HttpRequest request = toRequest(req);
    std::string route_label;
    HttpResponse response = server_.handle(request, &route_label);
    if (response.deferred) {
      return waitDeferred(std::move(request), std::move(route_label), std::move(response.deferred));
    }
    server_.finish(request, route_label, response, started_);
    write(std::move(response), /*drain=*/false);
  }

  // A response completed later (deferred_response.h): no worker waits for it. The socket is read
  // meanwhile so that a client that goes away cancels it; the connection closes after it.
  void waitDeferred(HttpRequest request, std::string route_label,
                    std::shared_ptr<DeferredResponse> deferred) {
    deferred_ = std::move(deferred);
    request.body.clear();  // only the method, path and trace are needed to finish it
    deferred_request_ = std::move(request);
    deferred_route_ = std::move(route_label);
    keep_alive_ = false;
    stream_.expires_never();
    server_.track(deferred_);
    watchDeferredPeer();
    std::weak_ptr<Session> weak = shared_from_this();
    auto executor = stream_.get_executor();
    deferred_->attach([weak, executor] {
      net::post(executor, [weak] {
        if (auto s = weak.lock()) s->onDeferred();
      });
    });
    onDeferred();  // it may have ended before attach()
  }

  void watchDeferredPeer() {
    stream_.socket().async_read_some(
        net::buffer(watch_buf_), [self = shared_from_this()](beast::error_code ec, size_t) {
          if (!self->deferred_) return;  // answered: the connection is closing
          if (ec) {                      // the client went away
            self->deferred_->cancel();
            return self->onDeferred();
          }
          self->watchDeferredPeer();  // pipelined bytes: dropped, the connection closes after this
        });
  }

  // Runs on the connection's strand: writes the answer once the deferred response ended.
  void onDeferred() {
    if (!deferred_ || !deferred_->ended()) return;
    std::optional<Result<HttpResponse>> answer = deferred_->take();
    deferred_->attach(nullptr);
    deferred_.reset();
    if (!answer) {  // cancelled: the client is gone
      server_.inFlight()--;
      return close();
    }
    HttpResponse response =
        answer->ok() ? std::move(*answer).value() : errorResponse(answer->status());
    if (response.stream || response.deferred) {
      response = errorResponse(Status::internal("a deferred response cannot be deferred again"));
    }
    server_.finish(deferred_request_, deferred_route_, response, started_);
    write(std::move(response), /*drain=*/false);
  }

  // A request that could not be read completely: answer with a JSON error and close.
  void writeFramingError(const Status& status, ErrorOrigin origin, bool drain) {
    server_.inFlight()++;
    HttpRequest request;
    version_ = 11;
    if (parser_ && parser_->is_header_done()) {
      const auto& req = parser_->get();
      request.method = std::string(req.method_string());
      request.target = std::string(req.target());
      version_ = req.version();
      auto tp = req.find("traceparent");
      request.trace = tp != req.end()
                          ? trace::TraceContext::fromTraceparent(std::string(tp->value()))
                          : trace::TraceContext::generate();
    } else {
      request.trace = trace::TraceContext::generate();
      started_ = std::chrono::steady_clock::now();
    }
    keep_alive_ = false;
    HttpResponse response = errorResponse(status, origin);
    server_.finish(request, "-", response, started_);
    write(std::move(response), drain);
  }

  void write(HttpResponse response, bool drain) {
    if (response.stream) return writeStreamed(std::move(response));
    res_ = {};
    res_.version(version_);
    res_.result(static_cast<unsigned>(response.status));
    res_.set(bhttp::field::server, "ward");
    res_.set(bhttp::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) res_.set(name, value);
    res_.body() = std::move(response.body);
    res_.keep_alive(keep_alive_);
    res_.prepare_payload();
    stream_.expires_after(server_.options().read_timeout);
    bhttp::async_write(stream_, res_,
                       [self = shared_from_this(), drain](beast::error_code ec, size_t) {
                         self->server_.inFlight()--;
                         if (ec) return self->close();
                         if (drain) return self->drainAndClose();
                         if (!self->keep_alive_) return self->close();
                         self->readHeader();
                       });
  }

  // A streamed body: the header with the first chunk the producer queued (one write), then
  // chunks as the producer writes them, the last one with the end of the body. Over HTTP/1.1 the
  // body is chunked, so the connection carries the next request afterwards when the client asked
  // for keep-alive and the stream ended whole; otherwise (HTTP/1.0, a cancelled stream) it is
  // closed. A read on the socket meanwhile notices a client that goes away.
  void writeStreamed(HttpResponse response) {
    out_ = std::move(response.stream);
    server_.track(out_);
    sres_ = {};
    sres_.version(version_);
    sres_.result(static_cast<unsigned>(response.status));
    sres_.set(bhttp::field::server, "ward");
    sres_.set(bhttp::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) sres_.set(name, value);
    // HTTP/1.0 has no chunked encoding: its body simply ends when the connection closes.
    chunked_ = version_ >= 11;
    if (!chunked_) keep_alive_ = false;
    sres_.keep_alive(keep_alive_);
    sres_.chunked(chunked_);
    std::ostringstream head;  // the status line and fields, through the blank line
    head << sres_.base();
    head_ = std::move(head).str();
    head_sent_ = false;
    stream_.expires_never();
    watchPeer();
    std::weak_ptr<Session> weak = shared_from_this();
    auto executor = stream_.get_executor();
    out_->attach([weak, executor] {
      net::post(executor, [weak] {
        if (auto s = weak.lock()) s->pump();
      });
    });
    pump();
  }

  // Reads the socket while a stream is written, into the request buffer: an error or the end of
  // the stream means the client went away (the stream is cancelled). Bytes that arrive are the
  // client's next request (pipelined, or sent as soon as the last chunk arrived): kept for it,
  // and the watch stops there (the buffer does not grow while the stream lasts). When the stream
  // ended while the watch was pending, endStream() cancelled it and the next request is
  // read from here.
  void watchPeer() {
    watching_ = true;
    stream_.socket().async_read_some(
        buffer_.prepare(watch_buf_.size()),
        [self = shared_from_this()](beast::error_code ec, size_t n) {
          self->watching_ = false;
          self->buffer_.commit(n);
          if (self->resume_after_watch_) {  // the stream ended: this was the last watch
            self->resume_after_watch_ = false;
            if (ec && ec != net::error::operation_aborted) return self->close();
            return self->readHeader();
          }
          if (!self->out_) return;
          if (ec) {  // the client went away
            self->out_->cancel();
            return self->pump();  // now: this handler may hold the last reference to us
          }
          if (n > 0) return;  // the next request began: kept in buffer_, read after the stream
          self->watchPeer();
        });
  }

  // Runs on the connection's strand: sends what the producer queued, one write at a time: the
  // header goes with the first chunk, and the end of a chunked body with the last one.
  void pump() {
    if (!out_) return;
    if (out_->cancelled()) {
      if (!writing_) return endStream();
      return close();  // aborts the pending write; its handler ends the stream
    }
    if (writing_) return;
    std::string data;
    bool finished = false;
    out_->take(&data, &finished);
    if (out_->cancelled()) return endStream();
    // Nothing is queued after close(): data taken from a closed stream is its last.
    const bool last = finished || (!data.empty() && out_->closed());
    if (data.empty() && !finished && head_sent_) return;
    if (finished && !chunked_ && head_sent_) return endStream();
    writing_ = true;
    chunk_ = std::move(data);
    std::vector<net::const_buffer> out;
    if (!head_sent_) out.push_back(net::buffer(head_));
    head_sent_ = true;
    if (chunked_) {
      if (!chunk_.empty()) {
        // bhttp::make_chunk's framing: the size in hex, CRLF, the data, CRLF.
        chunk_size_ = toHex(chunk_.size()) + "\r\n";
        out.push_back(net::buffer(chunk_size_));
        out.push_back(net::buffer(chunk_));
        out.push_back(net::buffer(kCrlf.data(), kCrlf.size()));
      }
      if (last) out.push_back(net::buffer(kLastChunk.data(), kLastChunk.size()));
    } else {
      out.push_back(net::buffer(chunk_));
    }
    net::async_write(stream_, out, [self = shared_from_this(), last](beast::error_code ec, size_t) {
      self->writing_ = false;
      if (ec) self->out_->cancel();
      if (!last || self->out_->cancelled()) return self->pump();
      // HTTP/1.0: the body ends when the connection closes.
      self->endStream(/*whole=*/self->chunked_);
    });
  }

  // `whole`: the last chunk went out, so the connection may carry the next request.
  void endStream(bool whole = false) {
    if (!out_) return;
    out_->attach(nullptr);
    out_.reset();
    server_.inFlight()--;
    if (!whole || !keep_alive_ || server_.stopping()) return close();
    if (!watching_) return readHeader();
    // The watch's read is pending: cancel it; its handler keeps any bytes and reads the next
    // request (readHeader) once it has run, so that no two reads are pending at once.
    resume_after_watch_ = true;
    beast::error_code ignored;
    stream_.socket().cancel(ignored);
  }

  void drainAndClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    drain_buffer_.resize(64 << 10);
    drainSome();
  }

  void drainSome() {
    if (drained_ >= kMaxDrainBytes) return close();
    stream_.expires_after(kDrainTimeout);
    stream_.async_read_some(net::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->close();
                              self->drained_ += n;
                              self->drainSome();
                            });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  HttpServer::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  unsigned version_ = 11;
  bool keep_alive_ = true;
  std::string remote_;  // the peer's "address:port", read once (toRequest)
  bool remote_known_ = false;
  std::vector<char> drain_buffer_;
  size_t drained_ = 0;
  // A streamed response in progress (writeStreamed).
  std::shared_ptr<ResponseStream> out_;
  bhttp::response<bhttp::empty_body> sres_;
  std::string head_;  // its status line and fields, sent with the first chunk
  bool head_sent_ = false;
  std::string chunk_;
  std::string chunk_size_;  // the chunk's size line
  bool chunked_ = true;
  bool writing_ = false;
  bool watching_ = false;            // watchPeer's read is pending
  bool resume_after_watch_ = false;  // the stream ended whole: the watch's handler reads on
  std::array<char, 1024> watch_buf_{};
  // A deferred response being waited for (waitDeferred), with what finishing it needs.
  std::shared_ptr<DeferredResponse> deferred_;
  HttpRequest deferred_request_;
  std::string deferred_route_;
};

}  // namespace

void startSession(tcp::socket socket, HttpServer::Impl& server) {
  std::make_shared<Session>(std::move(socket), server)->start();
}

}  // namespace ward::http
