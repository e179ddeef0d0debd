// Interval timers, clocks and strftime.
#include <cerrno>
#include <cmath>
#include <ctime>
#include <string>
#include <sys/time.h>
#include <vector>

#include "addon.h"
#include "errors.h"

namespace mb {

namespace {

constexpr size_t kMaxStrftime = 64 * 1024;
constexpr double kMaxTimerSeconds = 1e12;  // keeps the microsecond count in range

// Seconds to a timeval, rounded to microseconds. Non-positive (or NaN) means
// zero; a positive value below 1 us becomes 1 us so it does not disarm.
struct timeval ToTimeval(double seconds) {
  struct timeval tv = {0, 0};
  if (!(seconds > 0)) return tv;
  if (seconds > kMaxTimerSeconds) seconds = kMaxTimerSeconds;
  long long usec = std::llround(seconds * 1e6);
  if (usec < 1) usec = 1;
  tv.tv_sec = static_cast<time_t>(usec / 1000000);
  tv.tv_usec = static_cast<suseconds_t>(usec % 1000000);
  return tv;
}

double FromTimeval(const struct timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

Napi::Object TimerToJs(Napi::Env env, const struct itimerval& it) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("value", Napi::Number::New(env, FromTimeval(it.it_value)));
  result.Set("interval", Napi::Number::New(env, FromTimeval(it.it_interval)));
  return result;
}

Napi::Value SetITimer(const Napi::CallbackInfo& info) {
  int which = ArgInt32(info, 0, "which");
  double value = ArgNumber(info, 1, "value");
  double interval = ArgNumber(info, 2, "interval");
  struct itimerval it, old;
  it.it_value = ToTimeval(value);
  it.it_interval = ToTimeval(interval);
  if (setitimer(static_cast<__itimer_which_t>(which), &it, &old) != 0) {
    ThrowErrno(info.Env(), errno, "setitimer");
  }
  return TimerToJs(info.Env(), old);
}

Napi::Value GetITimer(const Napi::CallbackInfo& info) {
  int which = ArgInt32(info, 0, "which");
  struct itimerval it;
  if (getitimer(static_cast<__itimer_which_t>(which), &it) != 0) ThrowErrno(info.Env(), errno, "getitimer");
  return TimerToJs(info.Env(), it);
}

Napi::Value Clock(const Napi::CallbackInfo& info, clockid_t clock) {
  struct timespec ts;
  if (clock_gettime(clock, &ts) != 0) ThrowErrno(info.Env(), errno, "clock_gettime");
  return Napi::Number::New(info.Env(), static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9);
}

Napi::Value Monotonic(const Napi::CallbackInfo& info) { return Clock(info, CLOCK_MONOTONIC); }

Napi::Value CpuTime(const Napi::CallbackInfo& info) { return Clock(info, CLOCK_PROCESS_CPUTIME_ID); }

Napi::Value StrFTime(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  // A trailing space makes every successful result non-empty, so a zero
  // return always means "buffer too small" (an empty format is valid).
  std::string format = ArgString(info, 0, "format") + " ";
  double seconds = ArgNumber(info, 1, "time");
  bool utc = ArgBool(info, 2, "utc");
  if (!std::isfinite(seconds)) ThrowRange(env, "time must be finite");
  time_t t = static_cast<time_t>(std::floor(seconds));
  struct tm tm;
  struct tm* ok;
  if (utc) {
    ok = gmtime_r(&t, &tm);
  } else {
    tzset();
    ok = localtime_r(&t, &tm);
  }
  if (ok == nullptr) ThrowErrno(env, errno != 0 ? errno : EOVERFLOW, utc ? "gmtime_r" : "localtime_r");
  std::vector<char> buf(256);
  for (;;) {
    size_t n = strftime(buf.data(), buf.size(), format.c_str(), &tm);
    if (n > 0) return Napi::String::New(env, buf.data(), n - 1);
    if (buf.size() >= kMaxStrftime) ThrowErrno(env, ERANGE, "strftime");
    buf.resize(buf.size() * 4 > kMaxStrftime ? kMaxStrftime : buf.size() * 4);
  }
}

}  // namespace

void InitTime(Napi::Env env, Napi::Object exports) {
  exports.Set("setitimer", Napi::Function::New(env, SetITimer, "setitimer"));
  exports.Set("getitimer", Napi::Function::New(env, GetITimer, "getitimer"));
  exports.Set("monotonic", Napi::Function::New(env, Monotonic, "monotonic"));
  exports.Set("cpuTime", Napi::Function::New(env, CpuTime, "cpuTime"));
  exports.Set("strftime", Napi::Function::New(env, StrFTime, "strftime"));
}

}  // namespace mb
