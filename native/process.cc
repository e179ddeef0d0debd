// Processes: fork (prepared for a Node process), _exit, pids, waitpid, kill,
// execv.
#include "addon.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <string>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "errors.h"
#include "signals.h"

namespace mb {

namespace {

// Reads a whole (proc) file with plain read(2) calls. Returns false if it
// cannot be opened.
bool ReadFile(const char* path, std::string* out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out->clear();
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      out->append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      break;
    }
  }
  close(fd);
  return true;
}

bool IsSpecialMapping(const char* name, size_t len) {
  static const char* const kSkip[] = {"[vvar]", "[vdso]", "[vsyscall]", "[vvar_vclock]"};
  for (const char* skip : kSkip) {
    if (len == strlen(skip) && memcmp(name, skip, len) == 0) return true;
  }
  return false;
}

// Undoes MADV_DONTFORK on every mapping so the child gets all of the parent's
// memory. Errors (EINVAL on some special mappings) are expected and ignored.
void AdviseDoFork() {
  std::string maps;
  if (!ReadFile("/proc/self/maps", &maps)) return;
  size_t pos = 0;
  while (pos < maps.size()) {
    size_t eol = maps.find('\n', pos);
    if (eol == std::string::npos) eol = maps.size();
    // "start-end perms offset dev inode   pathname"
    const char* line = maps.c_str() + pos;
    const char* end = maps.c_str() + eol;
    char* p = nullptr;
    unsigned long long start = strtoull(line, &p, 16);
    bool ok = p != nullptr && p < end && *p == '-';
    unsigned long long stop = ok ? strtoull(p + 1, &p, 16) : 0;
    ok = ok && p <= end && stop > start;
    if (ok) {
      // Skip the five fields, then the blanks before the path name.
      const char* q = p;
      for (int field = 0; field < 4 && q < end; field++) {
        while (q < end && *q == ' ') q++;
        while (q < end && *q != ' ') q++;
      }
      while (q < end && (*q == ' ' || *q == '\t')) q++;
      if (!IsSpecialMapping(q, static_cast<size_t>(end - q))) {
        madvise(reinterpret_cast<void*>(start), static_cast<size_t>(stop - start), MADV_DOFORK);
      }
    }
    pos = eol + 1;
  }
}

double MonotonicNow() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// True when every other thread is in a state that cannot be holding a lock
// mid-operation: sleeping (S), stopped (T, t) or dead (Z, X).
bool OtherThreadsQuiet(pid_t self) {
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return true;
  bool quiet = true;
  std::string stat;
  struct dirent* entry;
  while (quiet && (entry = readdir(dir)) != nullptr) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    pid_t tid = static_cast<pid_t>(atol(entry->d_name));
    if (tid == self) continue;
    std::string path = std::string("/proc/self/task/") + entry->d_name + "/stat";
    if (!ReadFile(path.c_str(), &stat)) continue;  // the thread is gone
    size_t paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size()) continue;
    char state = stat[paren + 2];
    quiet = state == 'S' || state == 'T' || state == 't' || state == 'Z' || state == 'X';
  }
  closedir(dir);
  return quiet;
}

void WaitForQuietThreads() {
  pid_t self = static_cast<pid_t>(syscall(SYS_gettid));
  double deadline = MonotonicNow() + 1.0;
  while (!OtherThreadsQuiet(self) && MonotonicNow() < deadline) {
    struct timespec ts = {0, 50 * 1000};
    nanosleep(&ts, nullptr);
  }
}

Napi::Value Fork(const Napi::CallbackInfo& info) {
  AdviseDoFork();
  WaitForQuietThreads();
  // Block every signal around fork so that no handler runs in the child
  // before its handlers are reset (it would write to the shared self-pipe).
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = fork();
  if (pid == 0) {
    ResetSignalsInChild();
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    return Napi::Number::New(info.Env(), 0);
  }
  int err = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) ThrowErrno(info.Env(), err, "fork");
  return Napi::Number::New(info.Env(), pid);
}

Napi::Value Exit(const Napi::CallbackInfo& info) {
  int code = ArgInt32(info, 0, "code");
  _exit(code);
}

Napi::Value GetPid(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), getpid()); }

Napi::Value GetPPid(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), getppid()); }

Napi::Value WaitPid(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pid_t pid = ArgInt32(info, 0, "pid");
  int options = ArgInt32(info, 1, "options");
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid, &status, options);
  } while (r < 0 && errno == EINTR);
  if (r < 0) ThrowErrno(env, errno, "waitpid");
  if (r == 0) return env.Null();
  Napi::Object result = Napi::Object::New(env);
  result.Set("pid", Napi::Number::New(env, r));
  result.Set("status", Napi::Number::New(env, status));
  result.Set("exited", Napi::Boolean::New(env, WIFEXITED(status)));
  result.Set("exitCode", Napi::Number::New(env, WIFEXITED(status) ? WEXITSTATUS(status) : 0));
  result.Set("signaled", Napi::Boolean::New(env, WIFSIGNALED(status)));
  result.Set("signal", Napi::Number::New(env, WIFSIGNALED(status) ? WTERMSIG(status) : 0));
  result.Set("coreDumped", Napi::Boolean::New(env, WIFSIGNALED(status) && WCOREDUMP(status)));
  return result;
}

Napi::Value Kill(const Napi::CallbackInfo& info) {
  pid_t pid = ArgInt32(info, 0, "pid");
  int sig = ArgInt32(info, 1, "signal");
  if (kill(pid, sig) != 0) ThrowErrno(info.Env(), errno, "kill");
  return info.Env().Undefined();
}

// pidfd_open(2): a close-on-exec descriptor that polls readable once the
// process has terminated (Linux >= 5.3). Throws errno errors (ENOSYS on older
// kernels, ESRCH when there is no such process).
Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  pid_t pid = ArgInt32(info, 0, "pid");
#ifdef SYS_pidfd_open
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) ThrowErrno(info.Env(), errno, "pidfd_open");
  return Napi::Number::New(info.Env(), static_cast<double>(fd));
#else
  (void)pid;
  ThrowErrno(info.Env(), ENOSYS, "pidfd_open");
#endif
}

Napi::Value Execv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string file = ArgString(info, 0, "file");
  if (!info[1].IsArray()) ThrowType(env, "argv must be an array of strings");
  Napi::Array array = info[1].As<Napi::Array>();
  std::vector<std::string> args;
  args.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value item = array.Get(i);
    if (!item.IsString()) ThrowType(env, "argv must be an array of strings");
    args.push_back(item.As<Napi::String>().Utf8Value());
  }
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& arg : args) argv.push_back(&arg[0]);
  argv.push_back(nullptr);

  // Node ignores SIGPIPE and SIGXFSZ and libuv may block signals; neither
  // should leak into the new image. Restored if execv fails.
  struct sigaction dfl, old_pipe, old_xfsz;
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  dfl.sa_flags = 0;
  sigaction(SIGPIPE, &dfl, &old_pipe);
  sigaction(SIGXFSZ, &dfl, &old_xfsz);
  sigset_t none, old_mask;
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, &old_mask);

  execv(file.c_str(), argv.data());
  int err = errno;
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  sigaction(SIGPIPE, &old_pipe, nullptr);
  sigaction(SIGXFSZ, &old_xfsz, nullptr);
  ThrowErrno(env, err, "execv");
}

}  // namespace

void InitProcess(Napi::Env env, Napi::Object exports) {
  exports.Set("fork", Napi::Function::New(env, Fork, "fork"));
  exports.Set("_exit", Napi::Function::New(env, Exit, "_exit"));
  exports.Set("getpid", Napi::Function::New(env, GetPid, "getpid"));
  exports.Set("getppid", Napi::Function::New(env, GetPPid, "getppid"));
  exports.Set("waitpid", Napi::Function::New(env, WaitPid, "waitpid"));
  exports.Set("kill", Napi::Function::New(env, Kill, "kill"));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen, "pidfdOpen"));
  exports.Set("execv", Napi::Function::New(env, Execv, "execv"));
}

}  // namespace mb
