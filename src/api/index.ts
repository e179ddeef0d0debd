/**
 * moonbridge-lua's TypeScript API (require('moonbridge-lua') /
 * import ... from 'moonbridge-lua'): the server from TypeScript (listen,
 * timeout, io, http), calls between Lua and TypeScript (lua, LuaFunction,
 * multi), Lua modules written in TypeScript (defineLuaModule,
 * registerLuaModule), and Server.start for programs that embed a server.
 *
 * Everything but Server.start runs inside a moonbridge-lua server (an app
 * started with `npx moonbridge-lua app.js`, or a module Lua code requires).
 * It is synchronous: a worker serves one connection at a time with blocking
 * I/O and has no event loop, so handlers must not return Promises.
 */
import './socket';
import './request';
import './child';
import './listener';

export { listen, timeout } from './server';
export type { ListenOptions, ListenerOptions, TcpListener, LocalListener, IntervalListener, MainListener, ScheduledRun, ConnectHandler } from './server';
export { io } from './io';
export type { Pollable, PollResult } from './io';
export * as http from './http-namespace';
export type { RequestHandler, HttpOptions, PollFunction } from './http';
export { Socket } from './socket';
export type { ReadResult, DrainResult, ReadStatus, ReadNbStatus, WaitFunction, Data } from './socket';
export { Request } from './request';
export { Child } from './child';
export { Listener } from './listener';
export type { ChildWaitFunction } from './child';
export type { PostMetadata } from './request';
export { lua } from './lua';
export { LuaFunction, isLuaFunction, multi, MultipleResults } from './call';
export { LuaReference } from './refs';
export type { StringMode, ConvertOptions } from './convert';
export { defineLuaModule, registerLuaModule, isLuaModule } from './modules';
export type { LuaModule } from './modules';
export { LuaError, MoonbridgeApiError, IoError } from './errors';
export { Server, ServerStartError } from './server-start';
export type { ServerStartOptions, RunningServer, ReadyListener } from './server-start';
