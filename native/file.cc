// Files by path: open, lseek, mkstemp, and the C library's error texts
// (the Lua io and os libraries report "name: strerror" exactly as C does).
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "addon.h"
#include "errors.h"

namespace mb {

namespace {

// A path argument: a JS string (UTF-8) or the raw bytes of a Uint8Array.
// Paths with a NUL byte are refused (the TS layer decides how to cut them).
std::string ArgPath(const Napi::CallbackInfo& info, size_t i) {
  Napi::Env env = info.Env();
  std::string path;
  if (info[i].IsString()) {
    path = info[i].As<Napi::String>().Utf8Value();
  } else {
    Napi::Uint8Array bytes = ArgUint8Array(info, i, "path");
    path.assign(reinterpret_cast<const char*>(bytes.Data()), bytes.ElementLength());
  }
  if (path.find('\0') != std::string::npos) ThrowType(env, "path contains a NUL byte");
  return path;
}

// open(path, flags, mode) -> fd. O_CLOEXEC is always added: child programs
// (popen, os.execute) must not inherit the app's files.
Napi::Value Open(const Napi::CallbackInfo& info) {
  std::string path = ArgPath(info, 0);
  int flags = ArgInt32(info, 1, "flags");
  int mode = ArgInt32(info, 2, "mode");
  int fd;
  do {
    fd = open(path.c_str(), flags | O_CLOEXEC, static_cast<mode_t>(mode));
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) ThrowErrno(info.Env(), errno, "open");
  return Napi::Number::New(info.Env(), fd);
}

// lseek(fd, offset, whence) -> new offset. Offsets are doubles: exact to 2^53.
Napi::Value Lseek(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgInt32(info, 0, "fd");
  double offset = ArgNumber(info, 1, "offset");
  int whence = ArgInt32(info, 2, "whence");
  if (!std::isfinite(offset) || std::floor(offset) != offset || std::fabs(offset) > 9007199254740992.0) {
    ThrowRange(env, "offset must be an integer within 2^53");
  }
  off_t r = lseek(fd, static_cast<off_t>(offset), whence);
  if (r == static_cast<off_t>(-1)) ThrowErrno(env, errno, "lseek");
  return Napi::Number::New(env, static_cast<double>(r));
}

// mkstemp(template) -> { fd, path }: the template must end in "XXXXXX".
// The descriptor is close-on-exec.
Napi::Value Mkstemp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string tmpl = ArgPath(info, 0);
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  int fd = mkostemp(buf.data(), O_CLOEXEC);
  if (fd < 0) ThrowErrno(env, errno, "mkstemp");
  Napi::Object result = Napi::Object::New(env);
  result.Set("fd", Napi::Number::New(env, fd));
  result.Set("path", Napi::Buffer<char>::Copy(env, buf.data(), tmpl.size()));
  return result;
}

// strerror(errno) -> the C library's text ("No such file or directory").
Napi::Value StrErrorJs(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), StrError(ArgInt32(info, 0, "errno")));
}

}  // namespace

void InitFile(Napi::Env env, Napi::Object exports) {
  exports.Set("open", Napi::Function::New(env, Open, "open"));
  exports.Set("lseek", Napi::Function::New(env, Lseek, "lseek"));
  exports.Set("mkstemp", Napi::Function::New(env, Mkstemp, "mkstemp"));
  exports.Set("strerror", Napi::Function::New(env, StrErrorJs, "strerror"));
}

}  // namespace mb
