// setlocale(3), for os.setlocale.
#include <clocale>
#include <string>

#include "addon.h"
#include "errors.h"

namespace mb {

namespace {

// setlocale(category, locale or null) -> the locale's name, or null when the
// request cannot be honoured.
Napi::Value SetLocale(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int category = ArgInt32(info, 0, "category");
  const char* result;
  if (info[1].IsNull() || info[1].IsUndefined()) {
    result = setlocale(category, nullptr);
  } else {
    std::string name = ArgString(info, 1, "locale");
    result = setlocale(category, name.c_str());
  }
  if (result == nullptr) return env.Null();
  return Napi::String::New(env, result);
}

}  // namespace

void InitLocale(Napi::Env env, Napi::Object exports) {
  exports.Set("setlocale", Napi::Function::New(env, SetLocale, "setlocale"));
}

}  // namespace mb
