// Interval timers, clocks, strftime and the calendar (localtime, mktime).
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

// gmtime_r or (after tzset) localtime_r; false when t cannot be represented.
bool BrokenDown(time_t t, bool utc, struct tm* tm) {
  if (utc) return gmtime_r(&t, tm) != nullptr;
  tzset();
  return localtime_r(&t, tm) != nullptr;
}

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
  if (!BrokenDown(t, utc, &tm)) ThrowErrno(env, errno != 0 ? errno : EOVERFLOW, utc ? "gmtime_r" : "localtime_r");
  std::vector<char> buf(256);
  for (;;) {
    size_t n = strftime(buf.data(), buf.size(), format.c_str(), &tm);
    if (n > 0) return Napi::String::New(env, buf.data(), n - 1);
    if (buf.size() >= kMaxStrftime) ThrowErrno(env, ERANGE, "strftime");
    buf.resize(buf.size() * 4 > kMaxStrftime ? kMaxStrftime : buf.size() * 4);
  }
}

// struct tm as a JS object with the C field names (year since 1900, month
// 0-11, yday 0-365), plus the UTC offset in seconds.
Napi::Object TmToJs(Napi::Env env, const struct tm& tm) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("sec", Napi::Number::New(env, tm.tm_sec));
  o.Set("min", Napi::Number::New(env, tm.tm_min));
  o.Set("hour", Napi::Number::New(env, tm.tm_hour));
  o.Set("mday", Napi::Number::New(env, tm.tm_mday));
  o.Set("mon", Napi::Number::New(env, tm.tm_mon));
  o.Set("year", Napi::Number::New(env, tm.tm_year));
  o.Set("wday", Napi::Number::New(env, tm.tm_wday));
  o.Set("yday", Napi::Number::New(env, tm.tm_yday));
  o.Set("isdst", Napi::Number::New(env, tm.tm_isdst));
  o.Set("gmtoff", Napi::Number::New(env, static_cast<double>(tm.tm_gmtoff)));
  return o;
}

// Whole seconds of a double as time_t; false when out of time_t's range.
bool ToTimeT(double seconds, time_t* out) {
  if (!std::isfinite(seconds)) return false;
  double f = std::floor(seconds);
  if (f < -9.2233720368547758e18 || f >= 9.2233720368547758e18) return false;
  *out = static_cast<time_t>(f);
  return true;
}

// localtime(time, utc) -> tm, or null when the C library cannot represent it.
Napi::Value LocalTime(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double seconds = ArgNumber(info, 0, "time");
  bool utc = ArgBool(info, 1, "utc");
  time_t t;
  if (!ToTimeT(seconds, &t)) return env.Null();
  struct tm tm;
  if (!BrokenDown(t, utc, &tm)) return env.Null();
  return TmToJs(env, tm);
}

int TmField(const Napi::Object& o, const char* name) {
  Napi::Value v = o.Get(name);
  if (!v.IsNumber()) ThrowType(o.Env(), std::string("tm.") + name + " must be a number");
  return v.As<Napi::Number>().Int32Value();
}

// mktime(tm) -> { time, tm }: the local time for the (possibly out-of-range)
// fields, and the fields normalised as mktime(3) leaves them. time is -1 when
// mktime(3) returns -1 (the caller decides whether that is an error).
Napi::Value MkTime(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) ThrowType(env, "tm must be an object");
  Napi::Object o = info[0].As<Napi::Object>();
  struct tm tm = {};
  tm.tm_sec = TmField(o, "sec");
  tm.tm_min = TmField(o, "min");
  tm.tm_hour = TmField(o, "hour");
  tm.tm_mday = TmField(o, "mday");
  tm.tm_mon = TmField(o, "mon");
  tm.tm_year = TmField(o, "year");
  tm.tm_isdst = TmField(o, "isdst");
  tzset();
  time_t t = mktime(&tm);
  Napi::Object result = Napi::Object::New(env);
  result.Set("time", Napi::Number::New(env, static_cast<double>(t)));
  result.Set("tm", TmToJs(env, tm));
  return result;
}

}  // namespace

void InitTime(Napi::Env env, Napi::Object exports) {
  exports.Set("setitimer", Napi::Function::New(env, SetITimer, "setitimer"));
  exports.Set("getitimer", Napi::Function::New(env, GetITimer, "getitimer"));
  exports.Set("monotonic", Napi::Function::New(env, Monotonic, "monotonic"));
  exports.Set("cpuTime", Napi::Function::New(env, CpuTime, "cpuTime"));
  exports.Set("strftime", Napi::Function::New(env, StrFTime, "strftime"));
  exports.Set("localtime", Napi::Function::New(env, LocalTime, "localtime"));
  exports.Set("mktime", Napi::Function::New(env, MkTime, "mktime"));
}

}  // namespace mb
