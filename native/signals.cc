// Signal handlers that are safe next to libuv: one writes the signal number to
// a self-pipe, the other only bumps a counter. Neither uses SA_RESTART, so a
// blocking syscall interrupted by the signal returns EINTR.
#include "signals.h"

#include <csignal>
#include <cerrno>
#include <fcntl.h>
#include <pthread.h>
#include <string>
#include <unistd.h>

#include "addon.h"
#include "errors.h"

namespace mb {

namespace {

volatile sig_atomic_t g_pipe_read = -1;
volatile sig_atomic_t g_pipe_write = -1;
volatile sig_atomic_t g_counts[NSIG];

void PipeHandler(int sig) {
  int saved = errno;
  int fd = g_pipe_write;
  if (fd >= 0) {
    unsigned char byte = static_cast<unsigned char>(sig);
    ssize_t r = write(fd, &byte, 1);
    (void)r;  // a full pipe already holds pending wake-ups
  }
  errno = saved;
}

void CountHandler(int sig) {
  if (sig > 0 && sig < NSIG) g_counts[sig] = g_counts[sig] + 1;
}

int ArgSignal(const Napi::CallbackInfo& info) {
  int sig = ArgInt32(info, 0, "signal");
  if (sig <= 0 || sig >= NSIG) ThrowRange(info.Env(), "invalid signal number " + std::to_string(sig));
  return sig;
}

void Install(Napi::Env env, int sig, void (*handler)(int)) {
  struct sigaction sa;
  sa.sa_handler = handler;
  sigfillset(&sa.sa_mask);
  sa.sa_flags = 0;
  if (sigaction(sig, &sa, nullptr) != 0) ThrowErrno(env, errno, "sigaction");
}

int EnsurePipe(Napi::Env env) {
  if (g_pipe_read < 0) {
    int fds[2];
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) ThrowErrno(env, errno, "pipe2");
    g_pipe_read = fds[0];
    g_pipe_write = fds[1];
  }
  return g_pipe_read;
}

Napi::Value SignalPipe(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), EnsurePipe(info.Env()));
}

Napi::Value SignalCatch(const Napi::CallbackInfo& info) {
  int sig = ArgSignal(info);
  EnsurePipe(info.Env());
  Install(info.Env(), sig, PipeHandler);
  return info.Env().Undefined();
}

Napi::Value SignalCount(const Napi::CallbackInfo& info) {
  int sig = ArgSignal(info);
  Install(info.Env(), sig, CountHandler);
  return info.Env().Undefined();
}

Napi::Value SignalCounter(const Napi::CallbackInfo& info) {
  int sig = ArgSignal(info);
  bool reset = ArgBool(info, 1, "reset");
  sig_atomic_t count;
  if (reset) {
    // Block the signal while reading and zeroing so no increment is lost.
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    count = g_counts[sig];
    g_counts[sig] = 0;
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  } else {
    count = g_counts[sig];
  }
  return Napi::Number::New(info.Env(), count);
}

Napi::Value SignalDefault(const Napi::CallbackInfo& info) {
  int sig = ArgSignal(info);
  Install(info.Env(), sig, SIG_DFL);
  return info.Env().Undefined();
}

Napi::Value SignalIgnore(const Napi::CallbackInfo& info) {
  int sig = ArgSignal(info);
  Install(info.Env(), sig, SIG_IGN);
  return info.Env().Undefined();
}

}  // namespace

void ResetSignalsInChild() {
  struct sigaction sa;
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    sigaction(sig, &sa, nullptr);  // EINVAL for the C library's reserved signals
  }
  if (g_pipe_read >= 0) close(g_pipe_read);
  if (g_pipe_write >= 0) close(g_pipe_write);
  g_pipe_read = -1;
  g_pipe_write = -1;
  for (int sig = 0; sig < NSIG; sig++) g_counts[sig] = 0;
}

void InitSignals(Napi::Env env, Napi::Object exports) {
  exports.Set("signalPipe", Napi::Function::New(env, SignalPipe, "signalPipe"));
  exports.Set("signalCatch", Napi::Function::New(env, SignalCatch, "signalCatch"));
  exports.Set("signalCount", Napi::Function::New(env, SignalCount, "signalCount"));
  exports.Set("signalCounter", Napi::Function::New(env, SignalCounter, "signalCounter"));
  exports.Set("signalDefault", Napi::Function::New(env, SignalDefault, "signalDefault"));
  exports.Set("signalIgnore", Napi::Function::New(env, SignalIgnore, "signalIgnore"));
}

}  // namespace mb
