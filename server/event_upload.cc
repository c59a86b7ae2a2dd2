// Event uploads (see server/event_upload.h).
#include "server/event_upload.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "server/group_commit.h"
#include "storage/store.h"

namespace kpi::server {

namespace {

constexpr size_t kReadChunk = 8192;

// An fd holding the body, closed by the destructor.
class BodyFile {
 public:
  ~BodyFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  // Writes `body` to a fresh anonymous file; on success path() opens it.
  Status Create(std::string_view body) {
    fd_ = ::memfd_create("kpi-upload", MFD_CLOEXEC);
    if (fd_ < 0) {
      // No memfd (old kernel, seccomp): an unlinked temp file serves as well.
      const char* dir = std::getenv("TMPDIR");
      std::string templ = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/kpi-upload-XXXXXX";
      fd_ = ::mkstemp(templ.data());
      if (fd_ < 0) return Status::IOError(std::string("cannot create a temp file: ") + std::strerror(errno));
      ::unlink(templ.c_str());
    }
    size_t done = 0;
    while (done < body.size()) {
      ssize_t n = ::write(fd_, body.data() + done, body.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Status::IOError(std::string("cannot buffer the request body: ") + std::strerror(errno));
      done += static_cast<size_t>(n);
    }
    return Status::OK();
  }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_ = -1;
};

// The reader names its input by path; the client knows it as the body. A
// reader failure on an in-memory copy is the body's fault (corrupt gzip,
// unusable CSV header), so it is reported as InvalidArgument.
Status RenameInput(const Status& s, const std::string& path) {
  std::string msg = s.message();
  for (size_t at = msg.find(path); at != std::string::npos; at = msg.find(path, at)) {
    msg.replace(at, path.size(), "request body");
  }
  return Status::InvalidArgument(msg);
}

// Keeps the events of a scoped upload that stay inside the scope (see
// event_upload.h); the others become rejects.
Status FilterToScope(const query::Scope& scope, const query::Backend& backend, std::vector<RawEvent>* events,
                     std::vector<UploadReject>* rejects) {
  std::set<std::string> tickets;
  for (const RawEvent& e : *events) tickets.insert(e.ticket);
  query::TicketDims state;
  KPI_RETURN_IF_ERROR(backend.ScopeDims(scope, tickets, &state));
  std::set<std::string> foreign;  // stored tickets outside the scope
  for (const auto& [ticket, dims] : state) {
    if (scope.Eval(dims) != 1) foreign.insert(ticket);
  }
  const std::string reason = "outside this token's scope (" + scope.text() + ")";
  size_t kept = 0;
  for (RawEvent& e : *events) {
    bool ok = !foreign.count(e.ticket);
    if (ok) {
      std::map<std::string, std::string> dims = state[e.ticket];
      for (const auto& [k, v] : e.dims) dims[k] = v;
      ok = scope.Eval(dims) == 1;
      if (ok) state[e.ticket] = std::move(dims);
    }
    if (!ok) {
      rejects->push_back(UploadReject{e.line, "ticket " + e.ticket + ": " + reason});
      continue;
    }
    if (&(*events)[kept] != &e) (*events)[kept] = std::move(e);  // never a self-move: it would empty the event
    ++kept;
  }
  events->resize(kept);
  return Status::OK();
}

}  // namespace

Status UploadEvents(const EventIngester& ingest, std::string_view body, const UploadOptions& options,
                    UploadResult* result) {
  *result = UploadResult();
  BodyFile file;
  KPI_RETURN_IF_ERROR(file.Create(body));
  const std::string path = file.path();

  ingest::ReaderOptions reader_options;
  reader_options.format = options.format;
  std::unique_ptr<ingest::EventReader> reader;
  Status s = ingest::EventReader::Open(path, reader_options, &reader);
  if (!s.ok()) return RenameInput(s, path);

  std::vector<RawEvent> events, chunk;
  std::vector<ingest::Reject> reader_rejects;
  std::vector<UploadReject> listed;
  while (true) {
    reader_rejects.clear();
    s = reader->Next(kReadChunk, &chunk, &reader_rejects);
    if (!s.ok()) return RenameInput(s, path);
    result->rejected += reader_rejects.size();
    for (ingest::Reject& r : reader_rejects) {
      if (listed.size() < options.max_listed_rejects) listed.push_back(UploadReject{r.line, std::move(r.reason)});
    }
    if (events.size() + result->rejected + chunk.size() > options.max_events ||
        reader->lines_read() > 4 * options.max_events) {
      return Status::ResourceExhausted("the upload holds more than " + std::to_string(options.max_events) +
                                       " events; split it into smaller requests");
    }
    if (chunk.empty()) break;
    std::move(chunk.begin(), chunk.end(), std::back_inserter(events));
    chunk.clear();
  }
  result->lines = reader->lines_read();

  std::unique_lock<std::mutex> scope_lock;
  if (options.scope) {
    if (options.backend == nullptr) return Status::Aborted("a scoped upload needs the store to look tickets up");
    if (options.scope_mutex != nullptr) scope_lock = std::unique_lock<std::mutex>(*options.scope_mutex);
    std::vector<UploadReject> outside;
    KPI_RETURN_IF_ERROR(FilterToScope(*options.scope, *options.backend, &events, &outside));
    result->rejected += outside.size();
    for (UploadReject& r : outside)
      if (listed.size() < options.max_listed_rejects) listed.push_back(std::move(r));
  }

  std::vector<storage::EventReject> store_rejects;
  storage::IngestStats stats;
  if (!events.empty()) {
    KPI_RETURN_IF_ERROR(ingest(events, &store_rejects, &stats));
  }
  result->accepted = stats.accepted;
  result->duplicates = stats.duplicates;
  result->rejected += store_rejects.size();
  for (const storage::EventReject& r : store_rejects) {
    uint64_t line = r.index < events.size() ? events[r.index].line : 0;
    listed.push_back(UploadReject{line, r.reason});
  }
  std::stable_sort(listed.begin(), listed.end(),
                   [](const UploadReject& a, const UploadReject& b) { return a.line < b.line; });
  if (listed.size() > options.max_listed_rejects) listed.resize(options.max_listed_rejects);
  result->rejects = std::move(listed);
  return Status::OK();
}

}  // namespace kpi::server
