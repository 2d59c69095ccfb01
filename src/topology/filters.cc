#include "mha/topology/filters.h"

#include <algorithm>
#include <vector>

namespace mha::topology {
namespace {

struct NamedFilter {
  const char* column;
  std::string value;
};

std::vector<NamedFilter> replicate_filters(const ReplicationFilters& f) {
  return {{"Replicate_Do_DB", normalise_filter_list(f.do_db)},
          {"Replicate_Ignore_DB", normalise_filter_list(f.ignore_db)},
          {"Replicate_Do_Table", normalise_filter_list(f.do_table)},
          {"Replicate_Ignore_Table", normalise_filter_list(f.ignore_table)},
          {"Replicate_Wild_Do_Table", normalise_filter_list(f.wild_do_table)},
          {"Replicate_Wild_Ignore_Table", normalise_filter_list(f.wild_ignore_table)}};
}

std::vector<NamedFilter> binlog_filters(const MasterStatus& m) {
  return {{"Binlog_Do_DB", normalise_filter_list(m.binlog_do_db)},
          {"Binlog_Ignore_DB", normalise_filter_list(m.binlog_ignore_db)}};
}

std::string differences(const std::vector<NamedFilter>& here, const std::vector<NamedFilter>& ref,
                        const std::string& ref_name) {
  std::string out;
  for (std::size_t k = 0; k < here.size(); ++k) {
    if (here[k].value == ref[k].value) continue;
    if (!out.empty()) out += ", ";
    out += std::string(here[k].column) + "='" + here[k].value + "' (" + ref_name + " has '" +
           ref[k].value + "')";
  }
  return out;
}

}  // namespace

std::string normalise_filter_list(const std::string& list) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string item = list.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(" \t\n"));
    item.erase(item.find_last_not_of(" \t\n") + 1);
    if (!item.empty()) items.push_back(item);
    start = comma + 1;
  }
  std::sort(items.begin(), items.end());
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string replicate_filter_differences(const ReplicationFilters& here,
                                         const ReplicationFilters& ref,
                                         const std::string& ref_name) {
  return differences(replicate_filters(here), replicate_filters(ref), ref_name);
}

std::string binlog_filter_differences(const MasterStatus& here, const MasterStatus& ref,
                                      const std::string& ref_name) {
  return differences(binlog_filters(here), binlog_filters(ref), ref_name);
}

}  // namespace mha::topology
