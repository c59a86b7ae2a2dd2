// Helpers shared by the test suites: scratch directories and the location of
// ../shared (the real logs), which a user's clone may not have.
#pragma once

#include <string>

namespace kpi::testing {

// A fresh empty directory under the system temp dir, removed by the destructor.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag = "kpi");
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Path of ../shared/<relative> if it exists, or "" (the caller then GTEST_SKIPs
// with a message saying the real logs are not present in this clone).
std::string SharedPath(const std::string& relative);

// Writes `content` to `path` (overwrites).
void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);

}  // namespace kpi::testing
