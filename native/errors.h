// Error construction and argument helpers shared by the addon's files.
//
// The addon is built with C++ exceptions (NAPI_CPP_EXCEPTIONS): helpers throw
// Napi::Error, which node-addon-api turns into a JavaScript exception when the
// callback returns.
#ifndef MOONBRIDGE_ERRORS_H_
#define MOONBRIDGE_ERRORS_H_

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/types.h>

namespace mb {

// "ECONNRESET" for ECONNRESET; "E<num>" for numbers not in the table.
std::string ErrnoName(int err);

// The C library's text for err ("Connection reset by peer").
std::string StrError(int err);

// Error with errno (positive), code, syscall, strerror and the message
// "<syscall>: <strerror>".
Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall);

// Same, with a caller-chosen message.
Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const std::string& message);

[[noreturn]] void ThrowErrno(Napi::Env env, int err, const char* syscall);
[[noreturn]] void ThrowType(Napi::Env env, const std::string& message);
[[noreturn]] void ThrowRange(Napi::Env env, const std::string& message);

// Result of a hot-path call: r >= 0 is returned as is, EAGAIN/EWOULDBLOCK/
// EINPROGRESS become -1, EINTR -2; any other errno throws.
Napi::Value HotResult(Napi::Env env, ssize_t r, int err, const char* syscall);
// The same mapping without the Napi::Value (throws on a real error).
double HotNumber(Napi::Env env, ssize_t r, int err, const char* syscall);

// ---- argument helpers (minimal type checks; the TS layer validates) ----
int32_t ArgInt32(const Napi::CallbackInfo& info, size_t i, const char* name);
double ArgNumber(const Napi::CallbackInfo& info, size_t i, const char* name);
bool ArgBool(const Napi::CallbackInfo& info, size_t i, const char* name);
std::string ArgString(const Napi::CallbackInfo& info, size_t i, const char* name);

// A writable view of bytes [offset, offset+length) of a Uint8Array argument.
struct Bytes {
  uint8_t* data;
  size_t length;
};

// Uint8Array at info[i] (Buffers included; byteOffset honoured).
Napi::Uint8Array ArgUint8Array(const Napi::CallbackInfo& info, size_t i, const char* name);
// Checks that offset/length (info[i+1], info[i+2]) are non-negative integers
// inside the array at info[i]; throws RangeError otherwise.
Bytes ArgBytes(const Napi::CallbackInfo& info, size_t i);

}  // namespace mb

#endif  // MOONBRIDGE_ERRORS_H_
