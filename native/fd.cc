// Generic file descriptors: read, write, writev, close, dup, pipe, fcntl
// flags, poll.
#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <sys/uio.h>
#include <unistd.h>
#include <vector>

#include "addon.h"
#include "errors.h"

namespace mb {

namespace {

constexpr size_t kMaxIov = 1024;  // IOV_MAX on Linux
constexpr int kPollStack = 64;

Napi::Value Read(const Napi::CallbackInfo& info) {
  int fd = ArgInt32(info, 0, "fd");
  Bytes bytes = ArgBytes(info, 1);
  ssize_t r = read(fd, bytes.data, bytes.length);
  int err = errno;
  return HotResult(info.Env(), r, err, "read");
}

Napi::Value Write(const Napi::CallbackInfo& info) {
  int fd = ArgInt32(info, 0, "fd");
  Bytes bytes = ArgBytes(info, 1);
  ssize_t r = write(fd, bytes.data, bytes.length);
  int err = errno;
  return HotResult(info.Env(), r, err, "write");
}

// Writes whole buffers; only the first kMaxIov entries are used.
Napi::Value Writev(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgInt32(info, 0, "fd");
  if (!info[1].IsArray()) ThrowType(env, "bufs must be an array of Uint8Array");
  Napi::Array array = info[1].As<Napi::Array>();
  size_t count = array.Length();
  if (count > kMaxIov) count = kMaxIov;
  struct iovec iov[kMaxIov];
  for (size_t i = 0; i < count; i++) {
    Napi::Value item = array.Get(static_cast<uint32_t>(i));
    if (!item.IsTypedArray() || item.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      ThrowType(env, "bufs must be an array of Uint8Array");
    }
    Napi::Uint8Array buf = item.As<Napi::Uint8Array>();
    iov[i].iov_base = buf.Data();
    iov[i].iov_len = buf.ElementLength();
  }
  ssize_t r = writev(fd, iov, static_cast<int>(count));
  int err = errno;
  return HotResult(env, r, err, "writev");
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  int fd = ArgInt32(info, 0, "fd");
  // On Linux the descriptor is released even when close reports EINTR.
  if (close(fd) != 0 && errno != EINTR) ThrowErrno(info.Env(), errno, "close");
  return info.Env().Undefined();
}

// The duplicate is close-on-exec, like every descriptor the addon creates.
Napi::Value Dup(const Napi::CallbackInfo& info) {
  int fd = ArgInt32(info, 0, "fd");
  int r = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (r < 0) ThrowErrno(info.Env(), errno, "dup");
  return Napi::Number::New(info.Env(), r);
}

// Plain dup2(2): newfd is not close-on-exec (redirecting stdio before execv).
Napi::Value Dup2(const Napi::CallbackInfo& info) {
  int oldfd = ArgInt32(info, 0, "oldfd");
  int newfd = ArgInt32(info, 1, "newfd");
  int r;
  do {
    r = dup2(oldfd, newfd);
  } while (r < 0 && errno == EINTR);
  if (r < 0) ThrowErrno(info.Env(), errno, "dup2");
  return Napi::Number::New(info.Env(), r);
}

Napi::Value Pipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) ThrowErrno(env, errno, "pipe2");
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, Napi::Number::New(env, fds[0]));
  result.Set(1u, Napi::Number::New(env, fds[1]));
  return result;
}

void SetFlag(Napi::Env env, int fd, int get, int set, int flag, bool on, const char* syscall) {
  int flags = fcntl(fd, get);
  if (flags < 0) ThrowErrno(env, errno, syscall);
  int wanted = on ? (flags | flag) : (flags & ~flag);
  if (wanted != flags && fcntl(fd, set, wanted) < 0) ThrowErrno(env, errno, syscall);
}

Napi::Value SetNonBlocking(const Napi::CallbackInfo& info) {
  int fd = ArgInt32(info, 0, "fd");
  bool on = ArgBool(info, 1, "on");
  SetFlag(info.Env(), fd, F_GETFL, F_SETFL, O_NONBLOCK, on, "fcntl");
  return info.Env().Undefined();
}

Napi::Value SetCloexec(const Napi::CallbackInfo& info) {
  int fd = ArgInt32(info, 0, "fd");
  bool on = ArgBool(info, 1, "on");
  SetFlag(info.Env(), fd, F_GETFD, F_SETFD, FD_CLOEXEC, on, "fcntl");
  return info.Env().Undefined();
}

Napi::Value IsOpen(const Napi::CallbackInfo& info) {
  int fd = ArgInt32(info, 0, "fd");
  return Napi::Boolean::New(info.Env(), fcntl(fd, F_GETFD) != -1);
}

Napi::Value IsATty(const Napi::CallbackInfo& info) {
  int fd = ArgInt32(info, 0, "fd");
  return Napi::Boolean::New(info.Env(), isatty(fd) == 1);
}

template <typename T>
Napi::TypedArrayOf<T> ArgTypedArray(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type type,
                                    const char* what) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type) {
    ThrowType(info.Env(), what);
  }
  return v.As<Napi::TypedArrayOf<T>>();
}

Napi::Value Poll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto fds = ArgTypedArray<int32_t>(info, 0, napi_int32_array, "fds must be an Int32Array");
  auto events = ArgTypedArray<int16_t>(info, 1, napi_int16_array, "events must be an Int16Array");
  auto revents = ArgTypedArray<int16_t>(info, 2, napi_int16_array, "revents must be an Int16Array");
  int n = ArgInt32(info, 3, "n");
  int timeout = ArgInt32(info, 4, "timeoutMs");
  if (n < 0 || static_cast<size_t>(n) > fds.ElementLength() ||
      static_cast<size_t>(n) > events.ElementLength() || static_cast<size_t>(n) > revents.ElementLength()) {
    ThrowRange(env, "n out of range of the poll arrays");
  }
  if (timeout < 0) timeout = -1;
  struct pollfd stack[kPollStack];
  std::vector<struct pollfd> heap;
  struct pollfd* pfds = stack;
  if (n > kPollStack) {
    heap.resize(static_cast<size_t>(n));
    pfds = heap.data();
  }
  const int32_t* fdData = fds.Data();
  const int16_t* eventData = events.Data();
  for (int i = 0; i < n; i++) {
    pfds[i].fd = fdData[i];
    pfds[i].events = eventData[i];
    pfds[i].revents = 0;
  }
  int r = poll(pfds, static_cast<nfds_t>(n), timeout);
  if (r < 0) {
    if (errno == EINTR) return Napi::Number::New(env, -2);
    ThrowErrno(env, errno, "poll");
  }
  int16_t* reventData = revents.Data();
  for (int i = 0; i < n; i++) reventData[i] = pfds[i].revents;
  return Napi::Number::New(env, r);
}

}  // namespace

void InitFd(Napi::Env env, Napi::Object exports) {
  exports.Set("read", Napi::Function::New(env, Read, "read"));
  exports.Set("write", Napi::Function::New(env, Write, "write"));
  exports.Set("writev", Napi::Function::New(env, Writev, "writev"));
  exports.Set("close", Napi::Function::New(env, Close, "close"));
  exports.Set("dup", Napi::Function::New(env, Dup, "dup"));
  exports.Set("dup2", Napi::Function::New(env, Dup2, "dup2"));
  exports.Set("pipe", Napi::Function::New(env, Pipe, "pipe"));
  exports.Set("setNonBlocking", Napi::Function::New(env, SetNonBlocking, "setNonBlocking"));
  exports.Set("setCloexec", Napi::Function::New(env, SetCloexec, "setCloexec"));
  exports.Set("isOpen", Napi::Function::New(env, IsOpen, "isOpen"));
  exports.Set("isatty", Napi::Function::New(env, IsATty, "isatty"));
  exports.Set("poll", Napi::Function::New(env, Poll, "poll"));
}

}  // namespace mb
