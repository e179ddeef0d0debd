// Starting a child program without forking the Node process: posix_spawn
// (clone with CLONE_VFORK in glibc, so no heap copy and no helper threads
// involved). The child gets default signal dispositions and an empty signal
// mask; fds 0-2 can be redirected, every other descriptor of ours is
// close-on-exec. Used by io.popen and os.execute.
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <string>
#include <unistd.h>
#include <vector>

#include "addon.h"
#include "errors.h"

extern char** environ;

namespace mb {

namespace {

// A string argument: JS strings as UTF-8, Uint8Arrays as raw bytes (Lua
// strings are byte strings). No NUL bytes.
bool SpawnString(const Napi::Value& v, std::string* out) {
  if (v.IsString()) {
    *out = v.As<Napi::String>().Utf8Value();
  } else if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
    Napi::Uint8Array bytes = v.As<Napi::Uint8Array>();
    out->assign(reinterpret_cast<const char*>(bytes.Data()), bytes.ElementLength());
  } else {
    return false;
  }
  return out->find('\0') == std::string::npos;
}

// spawn(file, argv, fds, searchPath, closeFrom3) -> pid. fds[i] >= 0 becomes the child's
// descriptor i (dup2; its close-on-exec flag is cleared there), -1 lets the
// child inherit this process's descriptor i (if open). searchPath selects posix_spawnp (PATH lookup).
// closeFrom3 (optional) closes every descriptor from 3 up in the child, even
// those without close-on-exec (as Moonbridge's exec does with closefrom(3)),
// where the C library can (glibc >= 2.34); otherwise close-on-exec applies.
Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string file;
  if (!SpawnString(info[0], &file)) ThrowType(env, "file must be a string or Uint8Array without NUL");
  if (!info[1].IsArray()) ThrowType(env, "argv must be an array of strings");
  if (!info[2].IsArray()) ThrowType(env, "fds must be an array of three numbers");
  bool searchPath = ArgBool(info, 3, "searchPath");
  bool closeFrom3 = info.Length() > 4 && info[4].IsBoolean() && info[4].As<Napi::Boolean>().Value();
  Napi::Array argvJs = info[1].As<Napi::Array>();
  std::vector<std::string> args;
  for (uint32_t i = 0; i < argvJs.Length(); i++) {
    std::string a;
    if (!SpawnString(argvJs.Get(i), &a)) ThrowType(env, "argv entries must be strings or Uint8Arrays without NUL");
    args.push_back(a);
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(&a[0]);
  argv.push_back(nullptr);
  Napi::Array fdsJs = info[2].As<Napi::Array>();
  if (fdsJs.Length() != 3) ThrowType(env, "fds must be an array of three numbers");

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  for (uint32_t i = 0; i < 3; i++) {
    Napi::Value v = fdsJs.Get(i);
    if (!v.IsNumber()) {
      posix_spawn_file_actions_destroy(&actions);
      posix_spawnattr_destroy(&attr);
      ThrowType(env, "fds must be an array of three numbers");
    }
    int fd = v.As<Napi::Number>().Int32Value();
    if (fd >= 0) {
      posix_spawn_file_actions_adddup2(&actions, fd, static_cast<int>(i));
    } else if (fcntl(static_cast<int>(i), F_GETFD) >= 0) {
      // Node marks fds 0-2 close-on-exec at start-up; a dup2 onto itself
      // clears the flag in the child (glibc >= 2.29), so they are inherited.
      posix_spawn_file_actions_adddup2(&actions, static_cast<int>(i), static_cast<int>(i));
    }
  }
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  if (closeFrom3) posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#else
  (void)closeFrom3;
#endif
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  int err = searchPath ? posix_spawnp(&pid, file.c_str(), &actions, &attr, argv.data(), environ)
                       : posix_spawn(&pid, file.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) ThrowErrno(env, err, "posix_spawn");
  return Napi::Number::New(env, pid);
}

}  // namespace

void InitSpawn(Napi::Env env, Napi::Object exports) {
  exports.Set("spawn", Napi::Function::New(env, Spawn, "spawn"));
}

}  // namespace mb
