#include "mha/ssh/error_class.h"

#include <libssh2.h>

#include <gtest/gtest.h>

#include <cerrno>

namespace mha::ssh {
namespace {

TEST(ClassifyConnectErrno, TimeoutVersusEverythingElse) {
  EXPECT_EQ(classify_connect_errno(ETIMEDOUT), ErrorCode::kTimeout);
  EXPECT_EQ(classify_connect_errno(ECONNREFUSED), ErrorCode::kConnect);
  EXPECT_EQ(classify_connect_errno(EHOSTUNREACH), ErrorCode::kConnect);
  EXPECT_EQ(classify_connect_errno(ENETUNREACH), ErrorCode::kConnect);
  EXPECT_EQ(classify_connect_errno(ECONNRESET), ErrorCode::kConnect);
}

TEST(ClassifyLibssh2Rc, ByNumber) {
  EXPECT_EQ(classify_libssh2_rc(LIBSSH2_ERROR_TIMEOUT), ErrorCode::kTimeout);
  EXPECT_EQ(classify_libssh2_rc(LIBSSH2_ERROR_SOCKET_TIMEOUT), ErrorCode::kTimeout);
  EXPECT_EQ(classify_libssh2_rc(LIBSSH2_ERROR_AUTHENTICATION_FAILED), ErrorCode::kAuth);
  EXPECT_EQ(classify_libssh2_rc(LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED), ErrorCode::kAuth);
  EXPECT_EQ(classify_libssh2_rc(LIBSSH2_ERROR_FILE), ErrorCode::kIo);
  EXPECT_EQ(classify_libssh2_rc(LIBSSH2_ERROR_KEX_FAILURE), ErrorCode::kSsh);
  EXPECT_EQ(classify_libssh2_rc(LIBSSH2_ERROR_SOCKET_DISCONNECT), ErrorCode::kSsh);
  EXPECT_EQ(classify_libssh2_rc(LIBSSH2_ERROR_CHANNEL_FAILURE), ErrorCode::kSsh);
}

TEST(IsTransportFailure, SocketAndProtocolErrorsOnly) {
  EXPECT_TRUE(is_transport_failure(LIBSSH2_ERROR_SOCKET_DISCONNECT));
  EXPECT_TRUE(is_transport_failure(LIBSSH2_ERROR_SOCKET_SEND));
  EXPECT_TRUE(is_transport_failure(LIBSSH2_ERROR_SOCKET_RECV));
  EXPECT_TRUE(is_transport_failure(LIBSSH2_ERROR_TIMEOUT));
  EXPECT_TRUE(is_transport_failure(LIBSSH2_ERROR_DECRYPT));
  EXPECT_FALSE(is_transport_failure(LIBSSH2_ERROR_CHANNEL_FAILURE));
  EXPECT_FALSE(is_transport_failure(LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED));
  EXPECT_FALSE(is_transport_failure(LIBSSH2_ERROR_AUTHENTICATION_FAILED));
  EXPECT_FALSE(is_transport_failure(LIBSSH2_ERROR_EAGAIN));
}

}  // namespace
}  // namespace mha::ssh
