#pragma once

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum MySQL and MariaDB put at the
// end of every binlog event when binlog_checksum=CRC32. Same values as zlib's crc32().

#include <cstddef>
#include <cstdint>

namespace mha::binlog {

// Continues a running CRC: crc32_update(crc32_update(0, a), b) == CRC of a followed by b.
uint32_t crc32_update(uint32_t crc, const uint8_t* data, size_t size);

}  // namespace mha::binlog
