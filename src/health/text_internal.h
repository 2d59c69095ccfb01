#pragma once

// Text pieces shared by the verdict renderer and MasterHealth's reasons. Private to mha_health.

#include "mha/health/evidence.h"

#include <string>
#include <vector>

namespace mha::health::internal {

// "3 ms" below a second, else "2.00 s"
std::string seconds_text(Duration d);

// "lost, errno 2013 after 2.00 s" / "timeout after 1.00 s"
std::string failure_text(const PingFailure& f);

// "db2", "db2 and db3", "db2, db3 and db4"
std::string join_names(const std::vector<std::string>& names);

}  // namespace mha::health::internal
