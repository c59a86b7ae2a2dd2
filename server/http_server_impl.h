// Internal to server/http_server.cc: the state HttpServer's listeners and
// sessions share (HttpServer::Impl), the Beast/Asio names they use, and the
// interface a session offers the server for shutdown and eviction.
// Include only from http_server.cc (and http_session.h): Beast stays in one
// translation unit, as server/http_server.h promises.
#pragma once

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#ifdef KPI_HAVE_TLS
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/ssl.hpp>
#endif

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "server/client_limits.h"
#include "server/fair_scheduler.h"
#include "server/http_server.h"

namespace kpi::server {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using unix_socket = net::local::stream_protocol;
#ifdef KPI_HAVE_TLS
namespace ssl = net::ssl;
#endif

namespace http_detail {

inline constexpr uint32_t kHeaderLimit = 64 * 1024;
inline constexpr const char* kServerName = "kpistore";

inline std::string_view View(beast::string_view s) { return std::string_view(s.data(), s.size()); }

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Called on shutdown from any thread: close if idle, else finish the request.
  virtual void Shutdown() = 0;
  // Close if still waiting for a request header (ClientLimits chose it).
  virtual void Evict() = 0;
  // Close whatever it is doing (the drain timeout passed).
  virtual void ForceClose() = 0;
};

}  // namespace http_detail

// State shared by the listeners and sessions.
struct HttpServer::Impl {
  Impl(Router* r, Metrics* m, HttpServerOptions o)
      : router(r),
        metrics(m),
        options(std::move(o)),
        work(net::make_work_guard(ioc)),
        limits(options.clients),
        query_pool(Threads(options.worker_threads), PerClient(options.worker_threads_per_client, options.worker_threads),
                   options.queued_per_client),
        write_pool(Threads(options.write_threads),
                   options.write_threads_per_client > 0 ? options.write_threads_per_client : Threads(options.write_threads),
                   options.queued_per_client) {}

  static int Threads(int n) { return n > 0 ? n : 1; }
  static int PerClient(int asked, int threads) { return asked > 0 ? asked : std::max(1, Threads(threads) - 1); }

  Router* router;
  Metrics* metrics;
  HttpServerOptions options;
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> work;
  ClientLimits limits;
  FairScheduler query_pool;
  FairScheduler write_pool;
  std::vector<std::thread> io_threads;

  std::optional<tcp::acceptor> tcp_acceptor;
  std::optional<unix_socket::acceptor> unix_acceptor;
  std::string bound_tcp;
  uint16_t bound_port = 0;

  std::atomic<bool> stopping{false};
  bool started = false, stopped = false;
  std::atomic<uint64_t> next_id{1};

  std::mutex sessions_mu;
  std::condition_variable sessions_cv;
  std::unordered_map<uint64_t, std::weak_ptr<http_detail::SessionBase>> sessions;  // GUARDED_BY(sessions_mu)

  void Register(uint64_t id, std::weak_ptr<http_detail::SessionBase> w) {
    std::lock_guard<std::mutex> lock(sessions_mu);
    sessions.emplace(id, std::move(w));
  }
  void Unregister(uint64_t id) {
    std::lock_guard<std::mutex> lock(sessions_mu);
    sessions.erase(id);
    if (sessions.empty()) sessions_cv.notify_all();
  }
  std::vector<std::shared_ptr<http_detail::SessionBase>> Live() {
    std::vector<std::shared_ptr<http_detail::SessionBase>> live;
    std::lock_guard<std::mutex> lock(sessions_mu);
    for (auto& [id, weak] : sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
    return live;
  }
  // Closes the waiting connections ClientLimits chose to evict.
  void Evict(const std::vector<uint64_t>& ids) {
    for (uint64_t id : ids) {
      std::shared_ptr<http_detail::SessionBase> session;
      {
        std::lock_guard<std::mutex> lock(sessions_mu);
        auto it = sessions.find(id);
        if (it != sessions.end()) session = it->second.lock();
      }
      if (session) session->Evict();
    }
  }

  void RunIo() {
    // A handler that throws must not take the process down: log and go on.
    while (true) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "kpi serve: internal error in an I/O handler: %s\n", e.what());
      } catch (...) {
        std::fprintf(stderr, "kpi serve: internal error in an I/O handler\n");
      }
    }
  }
};

}  // namespace kpi::server
