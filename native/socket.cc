// Sockets: creation, binding, listening, accepting, connecting, shutdown,
// options and addresses.
#include "socket.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <netinet/in.h>
#include <string>
#include <sys/un.h>
#include <unistd.h>

#include "addon.h"
#include "errors.h"

namespace mb {

namespace {

int ExtraFlags(bool nonblock) { return SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0); }

// A socket address built from JS arguments.
struct Address {
  struct sockaddr_storage storage;
  socklen_t length;
  const struct sockaddr* sa() const { return reinterpret_cast<const struct sockaddr*>(&storage); }
};

// info[1] family, info[2] numeric address, info[3] port.
Address ArgInet(const Napi::CallbackInfo& info, const char* syscall) {
  Napi::Env env = info.Env();
  int family = ArgInt32(info, 1, "family");
  std::string address = ArgString(info, 2, "address");
  int port = ArgInt32(info, 3, "port");
  if (port < 0 || port > 65535) ThrowRange(env, "port out of range: " + std::to_string(port));
  Address addr;
  memset(&addr.storage, 0, sizeof addr.storage);
  int ok;
  if (family == AF_INET) {
    auto* sin = reinterpret_cast<struct sockaddr_in*>(&addr.storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<uint16_t>(port));
    ok = inet_pton(AF_INET, address.c_str(), &sin->sin_addr);
    addr.length = sizeof *sin;
  } else if (family == AF_INET6) {
    auto* sin6 = reinterpret_cast<struct sockaddr_in6*>(&addr.storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(static_cast<uint16_t>(port));
    ok = inet_pton(AF_INET6, address.c_str(), &sin6->sin6_addr);
    addr.length = sizeof *sin6;
  } else {
    throw ErrnoError(env, EAFNOSUPPORT, syscall);
  }
  if (ok != 1 || address.size() != strlen(address.c_str())) {
    throw ErrnoError(env, EINVAL, "inet_pton", "invalid IP address: " + address);
  }
  return addr;
}

// info[1] path: at most 107 bytes; a leading NUL byte selects the abstract
// namespace.
Address ArgUnix(const Napi::CallbackInfo& info, const char* syscall) {
  std::string path = ArgString(info, 1, "path");
  Address addr;
  memset(&addr.storage, 0, sizeof addr.storage);
  auto* sun = reinterpret_cast<struct sockaddr_un*>(&addr.storage);
  if (path.size() > sizeof sun->sun_path - 1) {
    throw ErrnoError(info.Env(), ENAMETOOLONG, syscall,
                     std::string(syscall) + ": " + StrError(ENAMETOOLONG) + " (a Unix socket path has at most " +
                         std::to_string(sizeof sun->sun_path - 1) + " bytes)");
  }
  sun->sun_family = AF_UNIX;
  memcpy(sun->sun_path, path.data(), path.size());
  bool abstract = !path.empty() && path[0] == '\0';
  addr.length = static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + path.size() + (abstract ? 0 : 1));
  return addr;
}

Napi::Value Socket(const Napi::CallbackInfo& info) {
  int domain = ArgInt32(info, 0, "domain");
  int type = ArgInt32(info, 1, "type");
  bool nonblock = ArgBool(info, 2, "nonblock");
  int fd = socket(domain, type | ExtraFlags(nonblock), 0);
  if (fd < 0) ThrowErrno(info.Env(), errno, "socket");
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value SocketPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int domain = ArgInt32(info, 0, "domain");
  int type = ArgInt32(info, 1, "type");
  bool nonblock = ArgBool(info, 2, "nonblock");
  int fds[2];
  if (socketpair(domain, type | ExtraFlags(nonblock), 0, fds) != 0) ThrowErrno(env, errno, "socketpair");
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, Napi::Number::New(env, fds[0]));
  result.Set(1u, Napi::Number::New(env, fds[1]));
  return result;
}

void DoBind(const Napi::CallbackInfo& info, const Address& addr) {
  int fd = ArgInt32(info, 0, "fd");
  if (bind(fd, addr.sa(), addr.length) != 0) ThrowErrno(info.Env(), errno, "bind");
}

Napi::Value BindInet(const Napi::CallbackInfo& info) {
  DoBind(info, ArgInet(info, "bind"));
  return info.Env().Undefined();
}

Napi::Value BindUnix(const Napi::CallbackInfo& info) {
  DoBind(info, ArgUnix(info, "bind"));
  return info.Env().Undefined();
}

Napi::Value Listen(const Napi::CallbackInfo& info) {
  int fd = ArgInt32(info, 0, "fd");
  int backlog = ArgInt32(info, 1, "backlog");
  if (listen(fd, backlog) != 0) ThrowErrno(info.Env(), errno, "listen");
  return info.Env().Undefined();
}

Napi::Value Accept(const Napi::CallbackInfo& info) {
  int fd = ArgInt32(info, 0, "fd");
  bool nonblock = ArgBool(info, 1, "nonblock");
  int r = accept4(fd, nullptr, nullptr, ExtraFlags(nonblock));
  int err = errno;
  return HotResult(info.Env(), r, err, "accept");
}

Napi::Value DoConnect(const Napi::CallbackInfo& info, const Address& addr) {
  int fd = ArgInt32(info, 0, "fd");
  int r = connect(fd, addr.sa(), addr.length);
  int err = errno;
  return HotResult(info.Env(), r, err, "connect");
}

Napi::Value ConnectInet(const Napi::CallbackInfo& info) { return DoConnect(info, ArgInet(info, "connect")); }

Napi::Value ConnectUnix(const Napi::CallbackInfo& info) { return DoConnect(info, ArgUnix(info, "connect")); }

Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  int fd = ArgInt32(info, 0, "fd");
  int how = ArgInt32(info, 1, "how");
  if (shutdown(fd, how) != 0) ThrowErrno(info.Env(), errno, "shutdown");
  return info.Env().Undefined();
}

Napi::Value SetsockoptInt(const Napi::CallbackInfo& info) {
  int fd = ArgInt32(info, 0, "fd");
  int level = ArgInt32(info, 1, "level");
  int option = ArgInt32(info, 2, "option");
  int value = ArgInt32(info, 3, "value");
  if (setsockopt(fd, level, option, &value, sizeof value) != 0) ThrowErrno(info.Env(), errno, "setsockopt");
  return info.Env().Undefined();
}

Napi::Value GetsockoptInt(const Napi::CallbackInfo& info) {
  int fd = ArgInt32(info, 0, "fd");
  int level = ArgInt32(info, 1, "level");
  int option = ArgInt32(info, 2, "option");
  int value = 0;
  socklen_t len = sizeof value;
  if (getsockopt(fd, level, option, &value, &len) != 0) ThrowErrno(info.Env(), errno, "getsockopt");
  return Napi::Number::New(info.Env(), value);
}

Napi::Value SetLinger(const Napi::CallbackInfo& info) {
  int fd = ArgInt32(info, 0, "fd");
  bool on = ArgBool(info, 1, "on");
  int seconds = ArgInt32(info, 2, "seconds");
  struct linger lg;
  lg.l_onoff = on ? 1 : 0;
  lg.l_linger = seconds;
  if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) != 0) ThrowErrno(info.Env(), errno, "setsockopt");
  return info.Env().Undefined();
}

Napi::Value SockName(const Napi::CallbackInfo& info, bool peer) {
  const char* syscall = peer ? "getpeername" : "getsockname";
  int fd = ArgInt32(info, 0, "fd");
  struct sockaddr_storage storage;
  memset(&storage, 0, sizeof storage);
  socklen_t len = sizeof storage;
  auto* sa = reinterpret_cast<struct sockaddr*>(&storage);
  int r = peer ? getpeername(fd, sa, &len) : getsockname(fd, sa, &len);
  if (r != 0) ThrowErrno(info.Env(), errno, syscall);
  return SockAddrToJs(info.Env(), sa, len, syscall);
}

Napi::Value GetSockName(const Napi::CallbackInfo& info) { return SockName(info, false); }

Napi::Value GetPeerName(const Napi::CallbackInfo& info) { return SockName(info, true); }

}  // namespace

Napi::Object SockAddrToJs(Napi::Env env, const struct sockaddr* sa, socklen_t len, const char* syscall) {
  Napi::Object result = Napi::Object::New(env);
  char text[INET6_ADDRSTRLEN];
  if (sa->sa_family == AF_INET) {
    const auto* sin = reinterpret_cast<const struct sockaddr_in*>(sa);
    inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
    result.Set("family", "inet");
    result.Set("address", text);
    result.Set("port", Napi::Number::New(env, ntohs(sin->sin_port)));
  } else if (sa->sa_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const struct sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
    result.Set("family", "inet6");
    result.Set("address", text);
    result.Set("port", Napi::Number::New(env, ntohs(sin6->sin6_port)));
  } else if (sa->sa_family == AF_UNIX) {
    const auto* sun = reinterpret_cast<const struct sockaddr_un*>(sa);
    size_t offset = offsetof(struct sockaddr_un, sun_path);
    size_t max = len > offset ? len - offset : 0;
    if (max > sizeof sun->sun_path) max = sizeof sun->sun_path;
    // Abstract names (leading NUL) are returned whole, paths up to their NUL.
    size_t n = (max > 0 && sun->sun_path[0] == '\0') ? max : strnlen(sun->sun_path, max);
    result.Set("family", "unix");
    result.Set("address", Napi::String::New(env, sun->sun_path, n));
    result.Set("port", Napi::Number::New(env, 0));
  } else {
    throw ErrnoError(env, EAFNOSUPPORT, syscall);
  }
  return result;
}

void InitSocket(Napi::Env env, Napi::Object exports) {
  exports.Set("socket", Napi::Function::New(env, Socket, "socket"));
  exports.Set("socketpair", Napi::Function::New(env, SocketPair, "socketpair"));
  exports.Set("bindInet", Napi::Function::New(env, BindInet, "bindInet"));
  exports.Set("bindUnix", Napi::Function::New(env, BindUnix, "bindUnix"));
  exports.Set("listen", Napi::Function::New(env, Listen, "listen"));
  exports.Set("accept", Napi::Function::New(env, Accept, "accept"));
  exports.Set("connectInet", Napi::Function::New(env, ConnectInet, "connectInet"));
  exports.Set("connectUnix", Napi::Function::New(env, ConnectUnix, "connectUnix"));
  exports.Set("shutdown", Napi::Function::New(env, Shutdown, "shutdown"));
  exports.Set("setsockoptInt", Napi::Function::New(env, SetsockoptInt, "setsockoptInt"));
  exports.Set("getsockoptInt", Napi::Function::New(env, GetsockoptInt, "getsockoptInt"));
  exports.Set("setLinger", Napi::Function::New(env, SetLinger, "setLinger"));
  exports.Set("getsockname", Napi::Function::New(env, GetSockName, "getsockname"));
  exports.Set("getpeername", Napi::Function::New(env, GetPeerName, "getpeername"));
}

}  // namespace mb
