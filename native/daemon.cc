// Daemon support: flock, setsid and syslog.
#include <cerrno>
#include <string>
#include <sys/file.h>
#include <syslog.h>
#include <unistd.h>

#include "addon.h"
#include "errors.h"

namespace mb {

namespace {

// openlog(3) keeps the ident pointer, so the string must outlive the call.
std::string g_ident;

// flock(2). Returns 0, or -1 when LOCK_NB was given and the lock is held
// elsewhere (EWOULDBLOCK). EINTR is retried; other errors throw.
Napi::Value Flock(const Napi::CallbackInfo& info) {
  int fd = ArgInt32(info, 0, "fd");
  int operation = ArgInt32(info, 1, "operation");
  for (;;) {
    if (flock(fd, operation) == 0) return Napi::Number::New(info.Env(), 0);
    int err = errno;
    if (err == EINTR) continue;
    if (err == EWOULDBLOCK) return Napi::Number::New(info.Env(), -1);
    ThrowErrno(info.Env(), err, "flock");
  }
}

// setsid(2). Returns the new session id.
Napi::Value SetSid(const Napi::CallbackInfo& info) {
  pid_t sid = setsid();
  if (sid < 0) ThrowErrno(info.Env(), errno, "setsid");
  return Napi::Number::New(info.Env(), static_cast<double>(sid));
}

Napi::Value OpenLog(const Napi::CallbackInfo& info) {
  std::string ident = ArgString(info, 0, "ident");
  int option = ArgInt32(info, 1, "option");
  int facility = ArgInt32(info, 2, "facility");
  closelog();
  g_ident = ident;
  openlog(g_ident.c_str(), option, facility);
  return info.Env().Undefined();
}

Napi::Value SysLog(const Napi::CallbackInfo& info) {
  int priority = ArgInt32(info, 0, "priority");
  std::string message = ArgString(info, 1, "message");
  syslog(priority, "%s", message.c_str());
  return info.Env().Undefined();
}

Napi::Value CloseLog(const Napi::CallbackInfo& info) {
  closelog();
  return info.Env().Undefined();
}

}  // namespace

void InitDaemon(Napi::Env env, Napi::Object exports) {
  exports.Set("flock", Napi::Function::New(env, Flock, "flock"));
  exports.Set("setsid", Napi::Function::New(env, SetSid, "setsid"));
  exports.Set("openlog", Napi::Function::New(env, OpenLog, "openlog"));
  exports.Set("syslog", Napi::Function::New(env, SysLog, "syslog"));
  exports.Set("closelog", Napi::Function::New(env, CloseLog, "closelog"));
}

}  // namespace mb
