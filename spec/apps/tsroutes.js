'use strict';
// A Lua module written in JavaScript, found by require "tsroutes" next to
// api-mixed.lua: HTTP routes in TS, and functions that call back into Lua.
const { defineLuaModule, multi } = require('moonbridge-lua');

module.exports = defineLuaModule({
  /** An HTTP route: the Lua handler passes its request on. */
  hello(request) {
    request.sendStatus('200 OK');
    request.sendHeader('Content-Type', 'text/plain');
    request.sendData(`hello from TypeScript, ${request.getParams.name ?? 'stranger'} (${request.method} /${request.path})\n`);
    return true;
  },
  /** Calls a Lua function (the template) with a JS object. */
  render(template, items) {
    return template({ title: 'Items', items: items.map((s) => s.toUpperCase()) });
  },
  /** Several results, and an error with a message Lua can pcall. */
  split(s) {
    const i = s.indexOf('=');
    if (i < 0) throw new Error(`no "=" in ${JSON.stringify(s)}`);
    return multi(s.slice(0, i), s.slice(i + 1));
  },
});
