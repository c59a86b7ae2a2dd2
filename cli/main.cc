// kpi: the command-line entry point. Parses flags (CLI11) and dispatches to
// the command functions of kpi_cli_lib; nothing else happens here.
//
// Start and exit cost what a one-statement `kpi query` process pays on top
// of its work (docs/performance.md, "The process floor"), so: every
// subcommand is declared (`kpi --help` lists them) but only the one named in
// argv[1] gets its options (`kpi query --help` shows query's); and the
// process ends with _exit once stdout and stderr are flushed, without
// running the static destructors (RocksDB's option tables, iostreams,
// jemalloc's teardown), which free memory the kernel frees anyway. Each
// command has written its files before it returns; all but `kpi query`
// have closed their store too (a query whose store stayed read-only leaves
// it open: nothing to write, and its teardown was ~3 % of a cold process;
// cli/query_command.h).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <string_view>

#include "cli/audit_command.h"
#include "cli/backup_command.h"
#include "cli/compact_command.h"
#include "cli/exit_codes.h"
#include "cli/gen_command.h"
#include "cli/info_command.h"
#include "cli/ingest_command.h"
#include "cli/query_command.h"
#include "cli/repl_command.h"
#include "cli/report_command.h"
#include "cli/serve_command.h"
#include "cli/table_command.h"
#include "cli/targets_command.h"

namespace {

constexpr const char* kFooter =
    "Exit status: 0 success; 1 some lines rejected (ingest), a statement failed (query, repl) or a\n"
    "result does not verify (audit verify);\n"
    "2 usage or I/O error; 3 ingest aborted by --max-errors.";

// A count given to an unsigned option: digits only. CLI11 reads "-1" into
// an unsigned 64-bit option as 2^64 - 1, which a range check then reports
// as a huge number the user never typed.
const CLI::Validator kCount(
    [](std::string& v) -> std::string {
      if (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos) return "";
      return "must be a whole number, 0 or more (got " + v + ")";
    },
    "COUNT");

// Ends the process with `code` after flushing stdio (std::cout and
// std::cerr write through it), skipping the static destructors. A failed
// flush of stdout (full disk, closed pipe) turns success into kExitUsage.
// Sanitizer builds return normally: LeakSanitizer runs at exit.
int Finish(int code) {
  // ferror: a write that failed before (a full buffer) leaves nothing to flush.
  const bool flushed = std::fflush(stdout) == 0 && std::ferror(stdout) == 0;
  if (!flushed && code == kpi::cli::kExitOk) {
    std::fprintf(stderr, "kpi: writing the output failed\n");
    code = kpi::cli::kExitUsage;
  }
  std::fflush(nullptr);
#if defined(__SANITIZE_ADDRESS__)
  return code;
#else
  ::_exit(code);
#endif
}

int Dispatch(int argc, char** argv) {
  using namespace kpi::cli;
  // A file size limit (ulimit -f) makes the write that passes it fail with
  // EFBIG, reported like a full disk, instead of killing the process
  // mid-write without a word.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"kpi: a columnar store and query language for customer-service KPIs", "kpi"};
  app.require_subcommand(1);
  app.footer(kFooter);
  app.set_version_flag("--version", "kpi 0.1.0");
  // The subcommand whose options are declared (kpi has no options before
  // it but --help and --version).
  const std::string_view command = argc > 1 ? argv[1] : "";

  // --backend and the ClickHouse flags (cli/backend_flags.h, docs/scale-out.md).
  auto add_backend_flags = [](CLI::App* cmd, BackendFlags* b) {
    cmd->add_option("--backend", b->backend, "local (the --db store) or clickhouse")->capture_default_str();
    cmd->add_option("--clickhouse-url", b->clickhouse_url,
                    "ClickHouse HTTP URL(s), comma-separated, one per shard (the first runs the statements)");
    cmd->add_option("--database", b->database, "ClickHouse database")->capture_default_str();
    cmd->add_option("--cluster", b->cluster, "ClickHouse remote_servers cluster (events sharded by ticket)");
  };
  IngestFlags ingest;
  CLI::App* ingest_cmd = app.add_subcommand("ingest", "Load NDJSON / CSV event files (.gz too, - for stdin)");
  if (command == "ingest") {
    ingest_cmd->add_option("--db", ingest.db, "Store directory (created if missing; not with --backend clickhouse)");
    add_backend_flags(ingest_cmd, &ingest.backend);
    ingest_cmd->add_option("files", ingest.files, "Input files; - reads stdin")->required();
    ingest_cmd->add_option("--format", ingest.format, "Input format: auto, ndjson or csv")->capture_default_str();
    ingest_cmd->add_option("--measures", ingest.measures, "Extra CSV columns holding measures (a,b,...)")
        ->delimiter(',');
    ingest_cmd->add_option("--rejects", ingest.rejects_path, "Write every rejected line as file:line: reason");
    ingest_cmd->add_option("--max-errors", ingest.max_errors, "Abort after more than N rejected lines (exit 3)");
    ingest_cmd->add_flag("--no-sync", ingest.no_sync, "Do not fsync each batch (benchmarks only)");
    ingest_cmd->add_option("--batch", ingest.batch_events, "Events per staged batch")->capture_default_str()
        ->check(kCount);
    ingest_cmd->add_option("--seal-events", ingest.seal_events, "Seal when more events than this are staged")
        ->capture_default_str()
        ->check(kCount);
    ingest_cmd
        ->add_option("--max-staged-events", ingest.max_staged_events,
                     "Scattered arrival: below this many staged events, spill them and seal once at the end")
        ->capture_default_str()
        ->check(kCount);
    ingest_cmd
        ->add_option("--memory-limit", ingest.memory_limit,
                     "Keep the process under this much memory (512M, 1.5G); auto: a quarter of RAM, at most 1 GiB; "
                     "none: no limit")
        ->capture_default_str();
    ingest_cmd->add_flag("-q,--quiet", ingest.quiet, "No progress output");
    ingest_cmd->add_flag("--resume", ingest.resume,
                         "Skip what an interrupted ingest of the same files already committed (per-file checkpoints)");
    ingest_cmd->add_flag(
        "--no-skip-known", ingest.no_skip_known,
        "Parse every line, also chunks of input already ingested before (by default those are skipped)");
  }

  GenFlags gen;
  CLI::App* gen_cmd = app.add_subcommand("gen", "Write synthetic ticket events as NDJSON");
  if (command == "gen") {
    gen_cmd->add_option("-o,--out", gen.out, "Output file; - for stdout")->capture_default_str();
    gen_cmd->add_option("--seed", gen.options.seed, "Random seed")->capture_default_str();
    gen_cmd->add_option("--tickets", gen.options.tickets, "Number of tickets")->capture_default_str()
        ->check(kCount);
    gen_cmd->add_option("--agents", gen.options.agents, "Number of agents")->capture_default_str()
        ->check(kCount);
    gen_cmd->add_option("--start", gen.start, "First day, YYYY-MM-DD or RFC 3339 (default 2025-01-01)");
    gen_cmd->add_option("--days", gen.options.days, "Days over which tickets are created")->capture_default_str()
        ->check(kCount);
    gen_cmd->add_flag("--shuffle", gen.options.shuffle, "Emit events in random order");
    gen_cmd->add_option("--late-fraction", gen.options.late_fraction, "Fraction of events emitted late, at the end")
        ->capture_default_str();
    gen_cmd->add_flag("-q,--quiet", gen.quiet, "No progress or summary");
  }

  InfoFlags info;
  CLI::App* info_cmd = app.add_subcommand("info", "Show what a store holds: counts, bytes, encodings");
  if (command == "info") {
    info_cmd->add_option("--db", info.db, "Store directory")->required();
    info_cmd->add_option("--format", info.format, "table or json")->capture_default_str();
  }

  BackupFlags backup;
  CLI::App* backup_cmd =
      app.add_subcommand("backup", "Write a consistent copy of a store (not one a server has open: POST /v1/backup)");
  if (command == "backup") {
    backup_cmd->add_option("--db", backup.db, "Store directory")->required();
    backup_cmd->add_option("--to", backup.to, "Backup directory (must not exist)")->required();
  }

  RestoreFlags restore;
  CLI::App* restore_cmd = app.add_subcommand("restore", "Put a backup in place of a store (checks that it opens)");
  if (command == "restore") {
    restore_cmd->add_option("--from", restore.from, "Backup directory")->required();
    restore_cmd->add_option("--db", restore.db, "Store directory to restore into")->required();
    restore_cmd->add_flag("--force", restore.force, "Replace a non-empty --db (moved aside to DIR.replaced-<time>)");
  }

  CompactFlags compact;
  CLI::App* compact_cmd = app.add_subcommand(
      "compact", "Reclaim the disk space of what seals replaced; prints bytes/event before and after");
  if (command == "compact") {
    compact_cmd->add_option("--db", compact.db, "Store directory (not one a server has open)")->required();
  }

  QueryFlags query;
  CLI::App* query_cmd = app.add_subcommand("query", "Run query statements (';'-separated) and print the results");
  if (command == "query") {
    query_cmd->add_option("--db", query.db, "Store directory (not with --backend clickhouse)");
    add_backend_flags(query_cmd, &query.backend);
    query_cmd->add_option("text", query.text, "The statements");
    query_cmd->add_option("-f,--file", query.file, "Read the statements from a file; - for stdin");
    query_cmd->add_option("--format", query.format, "table, csv or json")->capture_default_str();
    query_cmd->add_flag("--timer", query.timer,
                        "Print the time and rows read of each statement on stderr, and the segment cache's hit rate");
    query_cmd
        ->add_option("--memory-limit", query.memory_limit,
                     "Size the caches as `kpi serve --memory-limit` does (512M, 1.5G, auto); none: built-in sizes "
                     "(2 GiB segment cache)")
        ->capture_default_str();
    query_cmd->add_option(
        "--now", query.now,
        "Read relative windows (during last 1d, this week) against this RFC 3339 instant, not the clock");
    query_cmd->add_flag("--provenance", query.provenance,
                        "Table / CSV: print each result's provenance (as of, definitions, hash) on stderr");
  }

  ReplFlags repl;
  CLI::App* repl_cmd = app.add_subcommand("repl", "Interactive shell (reads statements from stdin when piped)");
  if (command == "repl") {
    repl_cmd->add_option("--db", repl.db, "Store directory (not with --backend clickhouse)");
    add_backend_flags(repl_cmd, &repl.backend);
    repl_cmd->add_option("--format", repl.format, "table, csv or json")->capture_default_str();
    repl_cmd->add_flag("--timer", repl.timer, "Start with .timer on");
    repl_cmd->add_option("--history", repl.history_path, "History file (default $KPI_HISTORY or ~/.kpi_history)");
  }

  AuditVerifyFlags audit;
  CLI::App* audit_cmd = app.add_subcommand("audit", "Check saved results against the store");
  audit_cmd->require_subcommand(1);
  CLI::App* verify_cmd =
      audit_cmd->add_subcommand("verify", "Rerun a saved JSON result as of its provenance and compare hashes");
  if (command == "audit") {
    verify_cmd->add_option("--db", audit.db, "Store directory (not with --backend clickhouse)");
    add_backend_flags(verify_cmd, &audit.backend);
    verify_cmd
        ->add_option("result", audit.result_file, "Saved JSON result (kpi query --format json, HTTP); - for stdin")
        ->required();
  }

  ReportFlags report;
  CLI::App* report_cmd = app.add_subcommand(
      "report", "Audit report of KPIs against targets: self-contained HTML, or PDF through headless Chromium");
  if (command == "report") {
    report_cmd->add_option("--db", report.db, "Store directory")->required();
    report_cmd->add_option("--scorecard", report.scorecard, "Report the KPIs of this scorecard");
    report_cmd->add_option("-f,--file", report.kpi_file, "Or report the KPIs listed in FILE (names, ',' or lines)");
    report_cmd->add_option("--during", report.during, "The window, as after `during`: \"2025-11-01 .. 2025-12-01\"")
        ->required();
    report_cmd->add_option("--by", report.by, "Groups, as after `by`: \"business_type, channel\"");
    report_cmd->add_option("--bucket", report.bucket, "Trend bucket: auto, hour, day, week, month, quarter")
        ->capture_default_str();
    report_cmd->add_option("--title", report.title, "Title of the report");
    report_cmd->add_option("--out", report.out, "report.html or report.pdf")->required();
  }

  TableLoadFlags table;
  CLI::App* table_cmd = app.add_subcommand("table", "Lookup tables (joined in queries)");
  table_cmd->require_subcommand(1);
  CLI::App* table_load_cmd = table_cmd->add_subcommand("load", "Load (replace) a lookup table from a CSV file");
  if (command == "table") {
    table_load_cmd->add_option("--db", table.db, "Store directory (not with --backend clickhouse)");
    add_backend_flags(table_load_cmd, &table.backend);
    table_load_cmd->add_option("name", table.name, "Table name")->required();
    table_load_cmd->add_option("file", table.file, "CSV file, header first; - for stdin")->required();
    table_load_cmd->add_option("--key", table.key, "Key column (unique, non-empty values)")->required();
  }

  TargetsLoadFlags targets;
  CLI::App* targets_cmd = app.add_subcommand("targets", "Targets of named KPIs, by segment");
  targets_cmd->require_subcommand(1);
  CLI::App* targets_load_cmd =
      targets_cmd->add_subcommand("load", "Define targets from a CSV file (header kpi,op,target,<dim>,...)");
  if (command == "targets") {
    targets_load_cmd->add_option("--db", targets.db, "Store directory (not with --backend clickhouse)");
    add_backend_flags(targets_load_cmd, &targets.backend);
    targets_load_cmd->add_option("file", targets.file, "CSV file, header first; empty cell = any; - for stdin")
        ->required();
  }

  ServeFlags serve;
  CLI::App* serve_cmd = app.add_subcommand("serve", "Run the HTTP API server until SIGINT / SIGTERM");
  if (command == "serve") {
    serve_cmd->add_option("--db", serve.db, "Store directory (not with --backend clickhouse)");
    add_backend_flags(serve_cmd, &serve.backend);
    serve_cmd->add_flag("--create", serve.create, "Create the store if it does not exist");
    serve_cmd->add_option("--listen", serve.listen, "host:port (port 0 picks one; empty: no TCP)")
        ->capture_default_str();
    serve_cmd->add_option("--socket", serve.socket_path, "Also listen on this Unix-domain socket");
    serve_cmd->add_option("--tokens", serve.tokens_file,
                          "Bearer tokens file ('<token> <role>' per line); without it only loopback and "
                          "Unix-socket clients are served");
    serve_cmd->add_option("--tls-cert", serve.tls_cert,
                          "PEM certificate chain (leaf first): the TCP listener speaks TLS 1.2+; SIGHUP reloads it");
    serve_cmd->add_option("--tls-key", serve.tls_key, "PEM private key of --tls-cert");
    serve_cmd->add_flag("--insecure-http", serve.insecure_http,
                        "Allow plain HTTP on a non-loopback --listen address (tokens and data in clear text)");
    serve_cmd->add_option("--threads", serve.threads, "Statements run concurrently")->capture_default_str();
    serve_cmd
        ->add_option("--memory-limit", serve.memory_limit,
                     "Size the caches to keep the store under this much memory (512M, 1.5G); auto: a quarter of "
                     "RAM, at most 1 GiB; none: built-in sizes (2 GiB segment cache)")
        ->capture_default_str();
    serve_cmd->add_option("--exec-threads", serve.exec_threads, "Scan threads per statement")->capture_default_str();
    serve_cmd->add_option("--io-threads", serve.io_threads, "Socket I/O threads")->capture_default_str();
    serve_cmd
        ->add_option("--write-threads", serve.write_threads,
                     "Uploads and KPI changes run concurrently (concurrent uploads share seals)")
        ->capture_default_str();
    serve_cmd->add_option("--max-body-bytes", serve.max_body_bytes, "Request body limit")->capture_default_str()
        ->check(kCount);
    serve_cmd->add_option("--query-timeout-ms", serve.query_timeout_ms, "Per-statement deadline")
        ->capture_default_str();
    serve_cmd->add_option("--max-rows", serve.max_rows, "Result rows per query")->capture_default_str()
        ->check(kCount);
    serve_cmd->add_option("--max-connections", serve.max_connections, "Requests in progress, all clients (past it 503)")
        ->capture_default_str();
    serve_cmd
        ->add_option("--max-connections-per-client", serve.max_connections_per_client,
                     "Requests in progress per client address (past it 429)")
        ->capture_default_str();
    serve_cmd
        ->add_option("--max-idle-connections", serve.max_idle_connections,
                     "Connections waiting for a request; past it the oldest is closed")
        ->capture_default_str();
    serve_cmd
        ->add_option("--max-idle-per-client", serve.max_idle_per_client,
                     "Connections waiting for a request per client address; past it its oldest is closed")
        ->capture_default_str();
    serve_cmd
        ->add_option("--rate-limit", serve.rate_limit,
                     "Requests per second per client address, bursts of twice that (past it 429); 0: none")
        ->capture_default_str();
    serve_cmd
        ->add_option("--threads-per-client", serve.threads_per_client,
                     "Statements of one token (or address) running at once; 0: --threads minus 1")
        ->capture_default_str();
    serve_cmd
        ->add_option("--write-threads-per-client", serve.write_threads_per_client,
                     "Uploads of one token (or address) running at once; 0: --write-threads")
        ->capture_default_str();
    serve_cmd->add_option("--max-response-bytes", serve.max_response_bytes, "Rendered result limit (past it 422)")
        ->capture_default_str()
        ->check(kCount);
    serve_cmd
        ->add_option("--header-timeout-ms", serve.header_timeout_ms,
                     "Deadline for a request's header, and keep-alive idle time")
        ->capture_default_str();
    serve_cmd->add_option("--body-timeout-ms", serve.body_timeout_ms, "Deadline for reading a request body")
        ->capture_default_str();
    serve_cmd
        ->add_option("--drain-timeout-ms", serve.drain_timeout_ms,
                     "On SIGINT/SIGTERM, wait this long for in-flight requests, then cancel and close them")
        ->capture_default_str();
    serve_cmd->add_flag("--no-sync", serve.no_sync, "Do not fsync ingested batches (benchmarks only)");
    serve_cmd
        ->add_option("--watch-threads", serve.watch_threads,
                     "Watches run at once, at low CPU priority (0: watches do not run)")
        ->capture_default_str();
    serve_cmd->add_option("--webhook-timeout-ms", serve.webhook_timeout_ms, "Deadline of one alert webhook POST")
        ->capture_default_str();
    serve_cmd
        ->add_option("--webhook-retry-ms", serve.webhook_retry_ms,
                     "First retry of a failed webhook POST; doubles per attempt up to 5 minutes")
        ->capture_default_str();
    serve_cmd
        ->add_option("--watch-lease-ms", serve.watch_lease_ms,
                     "With --backend clickhouse: the lease by which one of several front ends runs the watches "
                     "and sends their webhooks; another takes over within about 1.7 times this after it stops")
        ->capture_default_str();
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (ingest_cmd->parsed()) return RunIngest(ingest, stdout, stderr);
  if (gen_cmd->parsed()) return RunGen(gen, stderr);
  if (info_cmd->parsed()) return RunInfo(info, stdout, stderr);
  if (backup_cmd->parsed()) return RunBackup(backup, stdout, stderr);
  if (restore_cmd->parsed()) return RunRestore(restore, stdout, stderr);
  if (compact_cmd->parsed()) return RunCompact(compact, stdout, stderr);
  if (query_cmd->parsed()) {
#if !defined(__SANITIZE_ADDRESS__)
    query.process_ends_after = true;  // Finish's _exit; sanitizer builds close everything (LeakSanitizer)
#endif
    return RunQuery(query, stdout, stderr);
  }
  if (repl_cmd->parsed()) return RunRepl(repl, stdout, stderr);
  if (serve_cmd->parsed()) return RunServe(serve, stderr);
  if (table_load_cmd->parsed()) return RunTableLoad(table, stdout, stderr);
  if (targets_load_cmd->parsed()) return RunTargetsLoad(targets, stdout, stderr);
  if (verify_cmd->parsed()) return RunAuditVerify(audit, stdout, stderr);
  if (report_cmd->parsed()) return RunReport(report, stdout, stderr);
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) { return Finish(Dispatch(argc, argv)); }
