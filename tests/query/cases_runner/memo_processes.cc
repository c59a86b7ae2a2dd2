#include "query/cases_runner/memo_processes.h"

#include <cstdlib>
#include <cstring>
#include <memory>

#include "query/engine.h"
#include "query/execution/disk_memo.h"
#include "storage/memo_files.h"
#include "storage/store.h"

namespace kpi::cases {

bool MemoPassesOn() {
  const char* v = std::getenv("KPI_CASES_MEMO");
  return v == nullptr || std::strcmp(v, "off") != 0;
}

std::vector<MemoPass> RunAsWriterThenReader(const std::string& dir, const std::string& statement, int64_t now_ms) {
  std::vector<MemoPass> out;
  for (const char* name : {"writer process", "reader process"}) {
    MemoPass pass;
    pass.name = name;
    storage::StoreOptions options;
    options.sync = false;
    options.create_if_missing = false;
    options.read_only_until_write = true;
    options.cache_bytes = 0;  // a one-statement `kpi query` keeps nothing
    options.clock = [now_ms] { return now_ms; };
    std::unique_ptr<storage::Store> store;
    pass.status = storage::Store::Open(dir, options, &store);
    if (pass.status.ok()) {
      std::shared_ptr<storage::MemoFiles> files = query::UseMemoFiles(*store);
      if (files == nullptr) {
        pass.status = Status::IOError("the derived-value files do not open");
      } else {
        {
          query::Engine engine(store.get());
          query::QueryError error;
          pass.status = engine.Execute(statement, query::ExecOptions{}, &pass.result, &error);
          if (!pass.status.ok()) pass.error = error.ToString();
        }
        pass.file_hits = files->hits();
        pass.file_misses = files->misses();
        query::UnregisterMemoFiles(*store);
      }
    }
    out.push_back(std::move(pass));
  }
  return out;
}

}  // namespace kpi::cases
