// Socket address conversion shared by socket.cc and sockmsg.cc.
#ifndef MOONBRIDGE_SOCKET_H_
#define MOONBRIDGE_SOCKET_H_

#include <napi.h>
#include <sys/socket.h>

namespace mb {

// {family: 'inet'|'inet6'|'unix', address, port}. Throws EAFNOSUPPORT (with
// the given syscall name) for other families.
Napi::Object SockAddrToJs(Napi::Env env, const struct sockaddr* sa, socklen_t len, const char* syscall);

}  // namespace mb

#endif  // MOONBRIDGE_SOCKET_H_
