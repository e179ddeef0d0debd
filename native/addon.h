// Registration entry points of the addon's parts.
#ifndef MOONBRIDGE_ADDON_H_
#define MOONBRIDGE_ADDON_H_

#include <napi.h>

namespace mb {

void InitProcess(Napi::Env env, Napi::Object exports);   // process.cc
void InitSignals(Napi::Env env, Napi::Object exports);   // signals.cc
void InitFd(Napi::Env env, Napi::Object exports);        // fd.cc
void InitSocket(Napi::Env env, Napi::Object exports);    // socket.cc
void InitSockMsg(Napi::Env env, Napi::Object exports);   // sockmsg.cc
void InitTime(Napi::Env env, Napi::Object exports);      // time.cc
void InitDaemon(Napi::Env env, Napi::Object exports);    // daemon.cc
void InitFile(Napi::Env env, Napi::Object exports);      // file.cc
void InitSpawn(Napi::Env env, Napi::Object exports);     // spawn.cc
void InitLocale(Napi::Env env, Napi::Object exports);    // locale.cc

}  // namespace mb

#endif  // MOONBRIDGE_ADDON_H_
