// Errno errors and argument helpers.
#include "errors.h"

#include <cerrno>
#include <cmath>
#include <cstring>

namespace mb {

namespace {

struct ErrnoEntry {
  int number;
  const char* name;
};

#define MB_E(name) {name, #name},
// Preferred names first where two names share a number (EAGAIN before
// EWOULDBLOCK, EOPNOTSUPP before ENOTSUP, EDEADLK before EDEADLOCK).
const ErrnoEntry kErrnoNames[] = {
    MB_E(EPERM) MB_E(ENOENT) MB_E(ESRCH) MB_E(EINTR) MB_E(EIO) MB_E(ENXIO)
    MB_E(E2BIG) MB_E(ENOEXEC) MB_E(EBADF) MB_E(ECHILD) MB_E(EAGAIN)
    MB_E(ENOMEM) MB_E(EACCES) MB_E(EFAULT) MB_E(ENOTBLK) MB_E(EBUSY)
    MB_E(EEXIST) MB_E(EXDEV) MB_E(ENODEV) MB_E(ENOTDIR) MB_E(EISDIR)
    MB_E(EINVAL) MB_E(ENFILE) MB_E(EMFILE) MB_E(ENOTTY) MB_E(ETXTBSY)
    MB_E(EFBIG) MB_E(ENOSPC) MB_E(ESPIPE) MB_E(EROFS) MB_E(EMLINK)
    MB_E(EPIPE) MB_E(EDOM) MB_E(ERANGE) MB_E(EDEADLK) MB_E(ENAMETOOLONG)
    MB_E(ENOLCK) MB_E(ENOSYS) MB_E(ENOTEMPTY) MB_E(ELOOP) MB_E(ENOMSG)
    MB_E(EIDRM) MB_E(ENOSTR) MB_E(ENODATA) MB_E(ETIME) MB_E(ENOSR)
    MB_E(ENOLINK) MB_E(EPROTO) MB_E(EMULTIHOP) MB_E(EBADMSG)
    MB_E(EOVERFLOW) MB_E(EILSEQ) MB_E(EUSERS) MB_E(ENOTSOCK)
    MB_E(EDESTADDRREQ) MB_E(EMSGSIZE) MB_E(EPROTOTYPE) MB_E(ENOPROTOOPT)
    MB_E(EPROTONOSUPPORT) MB_E(ESOCKTNOSUPPORT) MB_E(EOPNOTSUPP)
    MB_E(EPFNOSUPPORT) MB_E(EAFNOSUPPORT) MB_E(EADDRINUSE)
    MB_E(EADDRNOTAVAIL) MB_E(ENETDOWN) MB_E(ENETUNREACH) MB_E(ENETRESET)
    MB_E(ECONNABORTED) MB_E(ECONNRESET) MB_E(ENOBUFS) MB_E(EISCONN)
    MB_E(ENOTCONN) MB_E(ESHUTDOWN) MB_E(ETOOMANYREFS) MB_E(ETIMEDOUT)
    MB_E(ECONNREFUSED) MB_E(EHOSTDOWN) MB_E(EHOSTUNREACH) MB_E(EALREADY)
    MB_E(EINPROGRESS) MB_E(ESTALE) MB_E(EDQUOT) MB_E(ECANCELED)
    MB_E(EOWNERDEAD) MB_E(ENOTRECOVERABLE) MB_E(EWOULDBLOCK) MB_E(ENOTSUP)
#ifdef EDEADLOCK
    MB_E(EDEADLOCK)
#endif
#ifdef ENOKEY
    MB_E(ENOKEY)
#endif
#ifdef ENOMEDIUM
    MB_E(ENOMEDIUM)
#endif
};
#undef MB_E

// strerror_r comes in an XSI (int) and a GNU (char*) flavour.
[[maybe_unused]] const char* PickStrError(int r, const char* buf) { return r == 0 ? buf : nullptr; }
[[maybe_unused]] const char* PickStrError(const char* r, const char*) { return r; }

void SetErrorProps(Napi::Error& error, int err, const char* syscall) {
  Napi::Object obj = error.Value();
  obj.Set("errno", Napi::Number::New(error.Env(), err));
  obj.Set("code", Napi::String::New(error.Env(), ErrnoName(err)));
  obj.Set("syscall", Napi::String::New(error.Env(), syscall));
  obj.Set("strerror", Napi::String::New(error.Env(), StrError(err)));
}

}  // namespace

std::string ErrnoName(int err) {
  for (const ErrnoEntry& e : kErrnoNames) {
    if (e.number == err) return e.name;
  }
  return "E" + std::to_string(err);
}

std::string StrError(int err) {
  char buf[256];
  buf[0] = '\0';
  const char* text = PickStrError(strerror_r(err, buf, sizeof buf), buf);
  if (text == nullptr || text[0] == '\0') return "Unknown error " + std::to_string(err);
  return text;
}

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall) {
  return ErrnoError(env, err, syscall, std::string(syscall) + ": " + StrError(err));
}

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  SetErrorProps(error, err, syscall);
  return error;
}

void ThrowErrno(Napi::Env env, int err, const char* syscall) { throw ErrnoError(env, err, syscall); }

void ThrowType(Napi::Env env, const std::string& message) { throw Napi::TypeError::New(env, message); }

void ThrowRange(Napi::Env env, const std::string& message) { throw Napi::RangeError::New(env, message); }

double HotNumber(Napi::Env env, ssize_t r, int err, const char* syscall) {
  if (r >= 0) return static_cast<double>(r);
  if (err == EAGAIN || err == EWOULDBLOCK || err == EINPROGRESS) return -1;
  if (err == EINTR) return -2;
  ThrowErrno(env, err, syscall);
}

Napi::Value HotResult(Napi::Env env, ssize_t r, int err, const char* syscall) {
  return Napi::Number::New(env, HotNumber(env, r, err, syscall));
}

int32_t ArgInt32(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) ThrowType(info.Env(), std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().Int32Value();
}

double ArgNumber(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) ThrowType(info.Env(), std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

bool ArgBool(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsBoolean()) ThrowType(info.Env(), std::string(name) + " must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

std::string ArgString(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsString()) ThrowType(info.Env(), std::string(name) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

Napi::Uint8Array ArgUint8Array(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowType(info.Env(), std::string(name) + " must be a Uint8Array");
  }
  return v.As<Napi::Uint8Array>();
}

Bytes ArgBytes(const Napi::CallbackInfo& info, size_t i) {
  Napi::Uint8Array array = ArgUint8Array(info, i, "buffer");
  double offset = ArgNumber(info, i + 1, "offset");
  double length = ArgNumber(info, i + 2, "length");
  double size = static_cast<double>(array.ElementLength());
  if (!(offset >= 0) || !(length >= 0) || std::floor(offset) != offset ||
      std::floor(length) != length || offset + length > size) {
    ThrowRange(info.Env(), "offset/length out of range of the buffer");
  }
  Bytes bytes;
  bytes.data = array.Data() + static_cast<size_t>(offset);
  bytes.length = static_cast<size_t>(length);
  return bytes;
}

}  // namespace mb
