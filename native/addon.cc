// moonbridge.node: module initialisation and the constants table. The
// functions live in process.cc, signals.cc, fd.cc, socket.cc, sockmsg.cc,
// time.cc, daemon.cc, file.cc, spawn.cc and locale.cc; the JavaScript interface is src/native/binding.ts.
#include <cerrno>
#include <csignal>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <syslog.h>
#include <clocale>
#include <fcntl.h>
#include <unistd.h>

#include "addon.h"

namespace mb {

namespace {

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
#define MB_CONST(name) c.Set(#name, Napi::Number::New(env, name))
  MB_CONST(AF_INET);
  MB_CONST(AF_INET6);
  MB_CONST(AF_UNIX);
  MB_CONST(SOCK_STREAM);
  MB_CONST(SOCK_DGRAM);
  MB_CONST(SOL_SOCKET);
  MB_CONST(SO_REUSEADDR);
  MB_CONST(SO_KEEPALIVE);
  MB_CONST(SO_RCVBUF);
  MB_CONST(SO_SNDBUF);
  MB_CONST(SO_ERROR);
  MB_CONST(IPPROTO_TCP);
  MB_CONST(IPPROTO_IPV6);
  MB_CONST(IPV6_V6ONLY);
  MB_CONST(TCP_NODELAY);
  MB_CONST(TCP_CORK);
  MB_CONST(SHUT_RD);
  MB_CONST(SHUT_WR);
  MB_CONST(SHUT_RDWR);
  MB_CONST(POLLIN);
  MB_CONST(POLLOUT);
  MB_CONST(POLLERR);
  MB_CONST(POLLHUP);
  MB_CONST(POLLNVAL);
  MB_CONST(WNOHANG);
  MB_CONST(SIGHUP);
  MB_CONST(SIGINT);
  MB_CONST(SIGQUIT);
  MB_CONST(SIGKILL);
  MB_CONST(SIGPIPE);
  MB_CONST(SIGALRM);
  MB_CONST(SIGTERM);
  MB_CONST(SIGCHLD);
  MB_CONST(SIGUSR1);
  MB_CONST(SIGUSR2);
  MB_CONST(ITIMER_REAL);
  MB_CONST(ITIMER_VIRTUAL);
  MB_CONST(ITIMER_PROF);
  MB_CONST(EAGAIN);
  MB_CONST(EINTR);
  MB_CONST(EINPROGRESS);
  MB_CONST(ECONNABORTED);
  MB_CONST(ENOENT);
  MB_CONST(ESRCH);
  MB_CONST(ECHILD);
  MB_CONST(LOCK_SH);
  MB_CONST(LOCK_EX);
  MB_CONST(LOCK_NB);
  MB_CONST(LOCK_UN);
  MB_CONST(LOG_PID);
  MB_CONST(LOG_NDELAY);
  MB_CONST(LOG_DAEMON);
  MB_CONST(LOG_USER);
  MB_CONST(LOG_LOCAL0);
  MB_CONST(LOG_LOCAL1);
  MB_CONST(LOG_LOCAL2);
  MB_CONST(LOG_LOCAL3);
  MB_CONST(LOG_LOCAL4);
  MB_CONST(LOG_LOCAL5);
  MB_CONST(LOG_LOCAL6);
  MB_CONST(LOG_LOCAL7);
  MB_CONST(LOG_CRIT);
  MB_CONST(LOG_ERR);
  MB_CONST(LOG_WARNING);
  MB_CONST(LOG_NOTICE);
  MB_CONST(LOG_INFO);
  MB_CONST(LOG_DEBUG);
  MB_CONST(O_RDONLY);
  MB_CONST(O_WRONLY);
  MB_CONST(O_RDWR);
  MB_CONST(O_CREAT);
  MB_CONST(O_TRUNC);
  MB_CONST(O_APPEND);
  MB_CONST(O_EXCL);
  MB_CONST(SEEK_SET);
  MB_CONST(SEEK_CUR);
  MB_CONST(SEEK_END);
  MB_CONST(EISDIR);
  MB_CONST(LC_ALL);
  MB_CONST(LC_COLLATE);
  MB_CONST(LC_CTYPE);
  MB_CONST(LC_MONETARY);
  MB_CONST(LC_NUMERIC);
  MB_CONST(LC_TIME);
#undef MB_CONST
  c.Freeze();
  return c;
}

}  // namespace

}  // namespace mb

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  using namespace mb;
  exports.Set("constants", Constants(env));
  InitProcess(env, exports);
  InitSignals(env, exports);
  InitFd(env, exports);
  InitSocket(env, exports);
  InitSockMsg(env, exports);
  InitTime(env, exports);
  InitDaemon(env, exports);
  InitFile(env, exports);
  InitSpawn(env, exports);
  InitLocale(env, exports);
  return exports;
}

NODE_API_MODULE(moonbridge, InitModule)
