/**
 * conn:try_query(cmd1, mode1, cmd2, mode2, ...) and conn:query(...): up to
 * 64 commands sent as one simple query; each result becomes a list (mode
 * "list", the default) or an object ("object": exactly one row,
 * "opt_object": at most one, else nil). Returns nil and the results, or an
 * error object (SQLSTATE-derived code, the server's message fields, and the
 * command's number); query raises that error object instead. The
 * connection's sql_tracer, input_converter and output_converter and the
 * module's save_mutability_state take part as in the C module.
 */
import { lua, lauxlib, type LuaCFunction, type LuaState } from 'fengari';
import { key, pushBytes, pushOwnedBytes, pushText } from '../../lua/strings';
import { commandOid, commandTuples, unescapeBytea, type PgResult } from '../postgres/connection';
import {
  BYTEA_OID, ERRCODE_CONNECTION, ERRCODE_QUERY1_MULTIPLE_ROWS, ERRCODE_QUERY1_NO_ROWS,
  ERRCODE_RESULTCOUNT_HIGH, ERRCODE_RESULTCOUNT_LOW, ERRCODE_UNKNOWN, firstLine, translateSqlstate, typeName,
} from './error-codes';
import { connectionMessage, checkOpen, createList, createObject, quoteString, raising } from './connection';
import { makeAssembleCommand } from './assemble';
import { ERROROBJECT_MT, K, MODULE_REGKEY } from './registry';
import { raiseWhere } from '../../lua/errors';

/** The most commands one query call may carry. */
export const MAX_COMMAND_COUNT = 64;

type Mode = 'list' | 'object' | 'opt_object';

export const assembleCommand = makeAssembleCommand(quoteString);

/** The byte offset of character position `chars` in UTF-8 text, counted as the C module counts (lead bytes only). */
function utf8PositionToByte(text: Uint8Array, chars: number): number {
  let pos = 0;
  for (let left = chars; left > 0 && pos < text.length && text[pos] !== 0; pos++) {
    const c = text[pos];
    if (c <= 0x7f || c >= 0xc0) left--;
  }
  return pos;
}

/** t[name] = bytes (nil if absent), for the error object at t. */
function setOptional(L: LuaState, t: number, name: string, bytes: Uint8Array | undefined): void {
  if (bytes === undefined) lua.lua_pushnil(L);
  else pushBytes(L, bytes);
  lua.lua_setfield(L, t, key(name));
}

/** t[name] = the 1-based byte position of a server character position (a decimal text). */
function setPosition(L: LuaState, t: number, name: string, position: Uint8Array | undefined, text: Uint8Array, utf8: boolean): void {
  if (position === undefined) return;
  let pos = (parseInt(Buffer.from(position).toString('latin1'), 10) || 0) - 1;
  if (utf8) pos = utf8PositionToByte(text, pos);
  lua.lua_pushinteger(L, pos + 1);
  lua.lua_setfield(L, t, key(name));
}

/** Fills the error object at t from a server error (or empty-query) result. */
function setServerError(L: LuaState, t: number, res: PgResult, sql: Uint8Array, utf8: boolean): void {
  const field = (code: string): Uint8Array | undefined => res.error?.get(code);
  setOptional(L, t, 'pg_severity', field('S'));
  const sqlstate = field('C');
  if (sqlstate !== undefined) {
    setOptional(L, t, 'pg_sqlstate', sqlstate);
    pushText(L, translateSqlstate(Buffer.from(sqlstate).toString('latin1')));
  } else {
    pushText(L, ERRCODE_UNKNOWN);
  }
  lua.lua_setfield(L, t, K.code);
  const primary = field('M');
  if (primary !== undefined) {
    pushBytes(L, firstLine(primary));
    lua.lua_setfield(L, t, K.message);
    setOptional(L, t, 'pg_message_primary', primary);
  } else {
    pushText(L, 'Error while fetching result, but no error message given.');
    lua.lua_setfield(L, t, K.message);
  }
  setOptional(L, t, 'pg_message_detail', field('D'));
  setOptional(L, t, 'pg_message_hint', field('H'));
  setPosition(L, t, 'position', field('P'), sql, utf8);
  const internalQuery = field('q');
  setOptional(L, t, 'pg_internal_query', internalQuery);
  setPosition(L, t, 'pg_internal_position', field('p'), internalQuery ?? new Uint8Array(0), utf8);
  setOptional(L, t, 'pg_context', field('W'));
  setOptional(L, t, 'pg_source_file', field('F'));
  setOptional(L, t, 'pg_source_line', field('L'));
  setOptional(L, t, 'pg_source_function', field('R'));
}

function setMessage(L: LuaState, t: number, code: string, message: string): void {
  pushText(L, code);
  lua.lua_setfield(L, t, K.code);
  pushText(L, message);
  lua.lua_setfield(L, t, K.message);
}

/** Pushes a column value: nil for NULL, bytea unescaped, else the text bytes. */
function pushValue(L: LuaState, value: Uint8Array | null, binary: boolean): void {
  if (value === null) lua.lua_pushnil(L);
  else if (binary) pushBytes(L, unescapeBytea(value));
  else pushBytes(L, value);
}

/** Pushes a new result list or object of the connection at 1. */
function pushNewResult(L: LuaState, create: LuaCFunction): void {
  lua.lua_pushcfunction(L, create);
  lua.lua_pushvalue(L, 1);
  lua.lua_call(L, 1, 1);
}

/** Pushes the raw list or object of a successful result (nil for opt_object without a row). */
function pushResult(L: LuaState, res: PgResult, mode: Mode): void {
  pushNewResult(L, mode === 'list' ? createList : createObject);
  const result = lua.lua_gettop(L);
  const binary: boolean[] = [];
  lua.lua_createtable(L, res.fields.length, res.fields.length);
  res.fields.forEach((f, col) => {
    lua.lua_createtable(L, 0, 6);
    pushBytes(L, f.name);
    lua.lua_pushvalue(L, -1);
    lua.lua_pushvalue(L, -3);
    lua.lua_rawset(L, -5); // column_info[name] = info
    lua.lua_setfield(L, -2, K.field_name);
    const optional = (name: string, value: number, absent: number): void => {
      if (value === absent) lua.lua_pushnil(L);
      else lua.lua_pushinteger(L, value);
      lua.lua_setfield(L, -2, key(name));
    };
    optional('table_oid', f.tableOid, 0);
    optional('table_column_number', f.tableColumn, 0);
    binary[col] = f.typeOid === BYTEA_OID;
    lua.lua_pushinteger(L, f.typeOid);
    lua.lua_setfield(L, -2, key('type_oid'));
    const type = typeName(f.typeOid);
    if (type === undefined) lua.lua_pushnil(L);
    else pushText(L, type);
    lua.lua_setfield(L, -2, key('type'));
    optional('type_modifier', f.typeModifier, -1);
    lua.lua_rawseti(L, -2, col + 1);
  });
  lua.lua_setfield(L, result, K._column_info);
  const affected = commandTuples(res.commandTag);
  if (affected !== '') {
    lua.lua_pushinteger(L, parseInt(affected, 10));
    lua.lua_setfield(L, result, K._rows_affected);
  }
  const oid = commandOid(res.commandTag);
  if (oid !== 0) {
    lua.lua_pushinteger(L, oid);
    lua.lua_setfield(L, result, K._oid);
  }
  const cols = res.fields.length;
  if (mode === 'list') {
    res.rows.forEach((row, r) => {
      pushNewResult(L, createObject);
      for (let col = 0; col < cols; col++) {
        pushValue(L, row[col], binary[col]);
        lua.lua_rawseti(L, -2, col + 1);
      }
      lua.lua_rawseti(L, result, r + 1);
    });
  } else if (res.rows.length === 1) {
    const row = res.rows[0];
    for (let col = 0; col < cols; col++) {
      pushValue(L, row[col], binary[col]);
      lua.lua_rawseti(L, result, col + 1);
    }
  } else {
    lua.lua_pop(L, 1);
    lua.lua_pushnil(L);
  }
}

/**
 * Runs the output converter (at 4, if truthy) and save_mutability_state (at
 * 5, if truthy) over the object at obj, whose raw values are at 1..n, and
 * fills its _data (and _dirty) by column name.
 */
function convertObject(L: LuaState, obj: number, info: number, cols: number): void {
  const top = lua.lua_gettop(L);
  lua.lua_getfield(L, obj, K._data); // top+1
  lua.lua_getfield(L, obj, K._dirty); // top+2
  for (let col = 1; col <= cols; col++) {
    lua.lua_rawgeti(L, info, col); // top+3: this column's info
    lua.lua_getfield(L, top + 3, K.field_name); // top+4
    if (lua.lua_toboolean(L, 4)) {
      lua.lua_pushvalue(L, 4);
      lua.lua_pushvalue(L, 1);
      lua.lua_rawgeti(L, obj, col);
      lua.lua_pushvalue(L, top + 3);
      lua.lua_call(L, 3, 1);
    } else {
      lua.lua_rawgeti(L, obj, col);
    } // top+5: the value
    if (lua.lua_toboolean(L, 5)) {
      lua.lua_pushvalue(L, top + 4);
      lua.lua_pushvalue(L, 5);
      lua.lua_pushvalue(L, top + 5);
      lua.lua_call(L, 1, 1);
      lua.lua_rawset(L, top + 2);
    }
    lua.lua_pushvalue(L, top + 5);
    lua.lua_rawseti(L, obj, col);
    lua.lua_rawset(L, top + 1);
    lua.lua_settop(L, top + 2);
  }
  lua.lua_settop(L, top);
}

function parseMode(L: LuaState, idx: number): Mode {
  if (lua.lua_isnil(L, idx)) return 'list';
  const mode = Buffer.from(lauxlib.luaL_checkstring(L, idx) as Uint8Array).toString('latin1');
  if (mode === 'list' || mode === 'object' || mode === 'opt_object') return mode;
  return lauxlib.luaL_argerror(L, idx, key('unknown query mode')) as never;
}

/** Why the idx-th result (0-based) cannot be returned in its mode, or null if it can. */
function resultFault(res: PgResult | undefined, idx: number, modes: Mode[]): [string, string] | 'server' | null {
  if (res === undefined) return [ERRCODE_RESULTCOUNT_LOW, 'Received too few database result sets.'];
  if (idx >= modes.length) return [ERRCODE_RESULTCOUNT_HIGH, 'Received too many database result sets.'];
  if (res.status === 'error' || res.status === 'empty') return 'server';
  if (res.rows.length < 1 && modes[idx] === 'object') return [ERRCODE_QUERY1_NO_ROWS, 'Expected one row, but got empty set.'];
  if (res.rows.length > 1 && modes[idx] !== 'list') return [ERRCODE_QUERY1_MULTIPLE_ROWS, 'Got more than one result row.'];
  return null;
}

// conn:try_query(command, mode, ...)
export const tryQuery: LuaCFunction = (L) => {
  const { box, pg } = checkOpen(L, 1);
  const count = Math.floor(lua.lua_gettop(L) / 2);
  lua.lua_pushnil(L); // the mode of a last command given without one
  if (count > MAX_COMMAND_COUNT) raiseWhere(L, 'Exceeded maximum command count in one query.');
  const modes: Mode[] = [];
  const parts: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) parts.push(Buffer.from(' '));
    lua.lua_pushcfunction(L, assembleCommand);
    lua.lua_pushvalue(L, 1);
    lua.lua_pushvalue(L, 2 + 2 * i);
    lua.lua_call(L, 2, 1);
    parts.push(lua.lua_tolstring(L, -1) as Uint8Array, Buffer.from(';'));
    lua.lua_pop(L, 1);
    modes.push(parseMode(L, 3 + 2 * i));
  }
  const sql = Buffer.concat(parts);
  lua.lua_settop(L, 1);
  pushOwnedBytes(L, sql); // 2
  lua.lua_getfield(L, 1, key('sql_tracer')); // 3: the tracer, then its callback
  if (lua.lua_toboolean(L, 3)) {
    lua.lua_pushvalue(L, 1);
    lua.lua_pushvalue(L, 2);
    lua.lua_call(L, 2, 1);
  }
  // A connection lost mid-query: what arrived before counts, as libpq's
  // PQgetResult hands it out (the server's FATAL error among it); with
  // nothing at all, a ConnectionException says why (the C module would
  // report "unknown" and no message).
  const sent = pg.query(sql);
  const results = sent ?? (pg.partialResults.length > 0 ? pg.partialResults : null);
  lua.lua_newtable(L); // 4: the raw results
  for (let i = 0; results === null || i < Math.max(count, results.length); i++) {
    const res = results?.[i];
    const fault = results === null ? 'connection' : resultFault(res, i, modes);
    if (fault !== null) {
      lua.lua_newtable(L); // 5
      lauxlib.luaL_setmetatable(L, ERROROBJECT_MT);
      lua.lua_pushvalue(L, 1);
      lua.lua_setfield(L, 5, key('connection'));
      lua.lua_pushvalue(L, 2);
      lua.lua_setfield(L, 5, key('sql_command'));
      if (fault === 'connection') {
        pushText(L, ERRCODE_CONNECTION);
        lua.lua_setfield(L, 5, K.code);
        pushBytes(L, connectionMessage(pg.errorMessage()));
        lua.lua_setfield(L, 5, K.message);
      } else {
        lua.lua_pushinteger(L, i + 1);
        lua.lua_setfield(L, 5, key('command_number'));
        if (fault === 'server') setServerError(L, 5, res as PgResult, sql, box.utf8);
        else setMessage(L, 5, fault[0], fault[1]);
      }
      if (lua.lua_toboolean(L, 3)) {
        lua.lua_pushvalue(L, 3);
        lua.lua_pushvalue(L, 5);
        lua.lua_call(L, 1, 0);
      }
      return 1;
    }
    pushResult(L, res as PgResult, modes[i]);
    lua.lua_rawseti(L, 4, i + 1);
  }
  if (lua.lua_toboolean(L, 3)) {
    lua.lua_pushvalue(L, 3);
    lua.lua_call(L, 0, 0);
  }
  lua.lua_replace(L, 3); // 3: the raw results
  lua.lua_getfield(L, 1, key('output_converter')); // 4
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, MODULE_REGKEY);
  lua.lua_getfield(L, -1, key('save_mutability_state'));
  lua.lua_replace(L, -2); // 5
  for (let i = 0; i < count; i++) {
    lua.lua_rawgeti(L, 3, i + 1); // 6
    if (lua.lua_toboolean(L, 6)) {
      lua.lua_getfield(L, 6, K._column_info); // 7
      const cols = lua.lua_rawlen(L, 7) as number;
      if (modes[i] === 'list') {
        const rows = lua.lua_rawlen(L, 6) as number;
        for (let r = 1; r <= rows; r++) {
          lua.lua_rawgeti(L, 6, r);
          convertObject(L, 8, 7, cols);
          lua.lua_settop(L, 7);
        }
      } else {
        convertObject(L, 6, 7, cols);
      }
    }
    lua.lua_settop(L, 5);
  }
  lua.lua_settop(L, 3);
  lua.lua_pushnil(L);
  for (let i = 0; i < count; i++) lua.lua_rawgeti(L, 3, i + 1);
  return count + 1;
};

export const query = raising(tryQuery);
