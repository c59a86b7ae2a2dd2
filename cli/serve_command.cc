// `kpi serve` (see cli/serve_command.h).
#include "cli/serve_command.h"

#include "cli/exit_codes.h"

#if defined(KPI_HAVE_SERVER) && defined(KPI_SERVE_CONNECTED)
// Connection point: translate ServeFlags into the server's options and call
// its entry point here (kpi::server::Serve), mapping its Status to 0 / 2.
#include "server/serve.h"
#endif

namespace kpi::cli {

#if defined(KPI_HAVE_SERVER) && defined(KPI_SERVE_CONNECTED)
int RunServe(const ServeFlags& flags, std::FILE* err);  // defined by the connection above
#else
int RunServe(const ServeFlags& flags, std::FILE* err) {
#ifdef KPI_HAVE_SERVER
  const char* why = "the server library is built but its entry point is not connected to the CLI yet";
#else
  const char* why = "this build has no HTTP server (server/ was not built)";
#endif
  std::fprintf(err, "kpi serve: %s; cannot serve %s on %s\n", why, flags.db.c_str(), flags.listen.c_str());
  return kExitUsage;
}
#endif

}  // namespace kpi::cli
