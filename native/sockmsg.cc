// Name resolution (getaddrinfo) and descriptor passing (sendmsg/recvmsg with
// SCM_RIGHTS).
#include <cerrno>
#include <cstring>
#include <memory>
#include <netdb.h>
#include <string>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "addon.h"
#include "errors.h"
#include "socket.h"

namespace mb {

namespace {

constexpr int kMaxRecvFds = 32;

const char* GaiName(int code) {
  switch (code) {
    case EAI_BADFLAGS: return "EAI_BADFLAGS";
    case EAI_NONAME: return "EAI_NONAME";
    case EAI_AGAIN: return "EAI_AGAIN";
    case EAI_FAIL: return "EAI_FAIL";
    case EAI_FAMILY: return "EAI_FAMILY";
    case EAI_SOCKTYPE: return "EAI_SOCKTYPE";
    case EAI_SERVICE: return "EAI_SERVICE";
    case EAI_MEMORY: return "EAI_MEMORY";
    case EAI_SYSTEM: return "EAI_SYSTEM";
    case EAI_OVERFLOW: return "EAI_OVERFLOW";
#ifdef EAI_NODATA
    case EAI_NODATA: return "EAI_NODATA";
#endif
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY: return "EAI_ADDRFAMILY";
#endif
    default: return "EAI_UNKNOWN";
  }
}

// Error for a failed getaddrinfo: message "getaddrinfo: <gai_strerror>",
// gaiCode, strerror, code (the EAI_ name) and errno 0 -- except for
// EAI_SYSTEM, which carries the errno error.
Napi::Error GaiError(Napi::Env env, int code, int err) {
  if (code == EAI_SYSTEM && err != 0) {
    Napi::Error error = ErrnoError(env, err, "getaddrinfo");
    error.Value().Set("gaiCode", Napi::Number::New(env, code));
    return error;
  }
  std::string text = gai_strerror(code);
  Napi::Error error = Napi::Error::New(env, "getaddrinfo: " + text);
  Napi::Object obj = error.Value();
  obj.Set("errno", Napi::Number::New(env, 0));
  obj.Set("code", Napi::String::New(env, GaiName(code)));
  obj.Set("syscall", Napi::String::New(env, "getaddrinfo"));
  obj.Set("strerror", Napi::String::New(env, text));
  obj.Set("gaiCode", Napi::Number::New(env, code));
  return error;
}

Napi::Value GetAddrInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool hasHost = !info[0].IsNull() && !info[0].IsUndefined();
  std::string host = hasHost ? ArgString(info, 0, "host") : std::string();
  std::string service = ArgString(info, 1, "service");
  bool passive = ArgBool(info, 2, "passive");
  bool addrconfig = ArgBool(info, 3, "addrconfig");
  struct addrinfo hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = (passive ? AI_PASSIVE : 0) | (addrconfig ? AI_ADDRCONFIG : 0);
  struct addrinfo* list = nullptr;
  errno = 0;
  int code = getaddrinfo(hasHost ? host.c_str() : nullptr, service.empty() ? nullptr : service.c_str(), &hints,
                         &list);
  int err = errno;
  if (code != 0) throw GaiError(env, code, err);
  std::unique_ptr<struct addrinfo, void (*)(struct addrinfo*)> owner(list, freeaddrinfo);
  Napi::Array result = Napi::Array::New(env);
  uint32_t n = 0;
  for (struct addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_addr == nullptr || (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)) continue;
    result.Set(n++, SockAddrToJs(env, ai->ai_addr, ai->ai_addrlen, "getaddrinfo"));
  }
  return result;
}

Napi::Value SendMsg(const Napi::CallbackInfo& info) {
  int sock = ArgInt32(info, 0, "sock");
  Bytes bytes = ArgBytes(info, 1);
  int fd = ArgInt32(info, 4, "fd");
  struct iovec iov;
  iov.iov_base = bytes.data;
  iov.iov_len = bytes.length;
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  if (fd >= 0) {
    memset(&control, 0, sizeof control);
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
  }
  ssize_t r = sendmsg(sock, &msg, MSG_NOSIGNAL);
  int err = errno;
  return HotResult(info.Env(), r, err, "sendmsg");
}

Napi::Value RecvMsg(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sock = ArgInt32(info, 0, "sock");
  Bytes bytes = ArgBytes(info, 1);
  struct iovec iov;
  iov.iov_base = bytes.data;
  iov.iov_len = bytes.length;
  union {
    char buf[CMSG_SPACE(sizeof(int) * kMaxRecvFds)];
    struct cmsghdr align;
  } control;
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  ssize_t r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  int err = errno;
  int received = -1;
  if (r >= 0) {
    // Keep the first descriptor, close any others.
    for (struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg); cmsg != nullptr; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
      if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) continue;
      size_t count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      const unsigned char* data = CMSG_DATA(cmsg);
      for (size_t i = 0; i < count; i++) {
        int fd;
        memcpy(&fd, data + i * sizeof(int), sizeof fd);
        if (received < 0) {
          received = fd;
        } else {
          close(fd);
        }
      }
    }
  }
  double result = HotNumber(env, r, err, "recvmsg");
  Napi::Object out = Napi::Object::New(env);
  out.Set("bytes", Napi::Number::New(env, result));
  out.Set("fd", Napi::Number::New(env, received));
  return out;
}

}  // namespace

void InitSockMsg(Napi::Env env, Napi::Object exports) {
  exports.Set("getaddrinfo", Napi::Function::New(env, GetAddrInfo, "getaddrinfo"));
  exports.Set("sendmsg", Napi::Function::New(env, SendMsg, "sendmsg"));
  exports.Set("recvmsg", Napi::Function::New(env, RecvMsg, "recvmsg"));
}

}  // namespace mb
