#include "mha/topology/replica_status.h"

#include <algorithm>
#include <cctype>

namespace mha::topology {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

const char* io_thread_state_name(IoThreadState s) {
  switch (s) {
    case IoThreadState::kNo:
      return "No";
    case IoThreadState::kYes:
      return "Yes";
    case IoThreadState::kConnecting:
      return "Connecting";
  }
  return "No";
}

const char* using_gtid_name(UsingGtid g) {
  switch (g) {
    case UsingGtid::kNo:
      return "No";
    case UsingGtid::kCurrentPos:
      return "Current_Pos";
    case UsingGtid::kSlavePos:
      return "Slave_Pos";
  }
  return "No";
}

std::optional<IoThreadState> parse_io_thread_state(std::string_view text) {
  for (IoThreadState s : {IoThreadState::kNo, IoThreadState::kYes, IoThreadState::kConnecting}) {
    if (iequals(text, io_thread_state_name(s))) return s;
  }
  return std::nullopt;
}

std::optional<UsingGtid> parse_using_gtid(std::string_view text) {
  for (UsingGtid g : {UsingGtid::kNo, UsingGtid::kCurrentPos, UsingGtid::kSlavePos}) {
    if (iequals(text, using_gtid_name(g))) return g;
  }
  return std::nullopt;
}

bool ReplicationFilters::empty() const {
  return do_db.empty() && ignore_db.empty() && do_table.empty() && ignore_table.empty() &&
         wild_do_table.empty() && wild_ignore_table.empty();
}

}  // namespace mha::topology
