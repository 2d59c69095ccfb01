#include "mha/common/error.h"

namespace mha {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kConfig:
      return "config";
    case ErrorCode::kConnect:
      return "connect";
    case ErrorCode::kAuth:
      return "auth";
    case ErrorCode::kQuery:
      return "query";
    case ErrorCode::kTimeout:
      return "timeout";
    case ErrorCode::kSsh:
      return "ssh";
    case ErrorCode::kHostKey:
      return "host_key";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kPrecondition:
      return "precondition";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

std::string Error::to_string() const {
  if (detail == 0) return message;
  return message + " (detail " + std::to_string(detail) + ")";
}

}  // namespace mha
