/**
 * POST fields from the request body: application/x-www-form-urlencoded
 * (read whole, then parsed) and multipart/form-data (streamed through the
 * multipart parser; fields with a stream_post_param(s) callback go to it
 * chunk by chunk and are not kept, the others are collected). Other content
 * types have no fields: a body streamer, if installed, gets the body.
 */
import { lua, type LuaState } from 'fengari';
import type { Exchange } from './exchange';
import { HttpError } from './errors';
import { MultipartParser, multipartBoundary, type PartInfo } from './multipart';
import { parseQuery } from './uri';
import { callLua, FALSY, type Op } from './driver';
import { key, latin1, pushBytes, pushLatin1, pushOwnedBytes } from '../lua/strings';

export interface PostFields {
  /** Field name and value in the order received; multipart values are bytes. */
  params: Array<[string, string | Uint8Array]>;
  /** Per multipart field: its part's metadata (empty for urlencoded bodies). */
  metadata: Array<[string, PartInfo]>;
}

const NO_FIELDS: PostFields = Object.freeze({ params: [], metadata: [] }) as PostFields;

/** Pushes a part's metadata table {field_name, file_name, content_type} (absent entries nil). */
export function pushMetadata(L: LuaState, info: PartInfo): void {
  lua.lua_createtable(L, 0, 3);
  for (const [name, value] of [['field_name', info.fieldName], ['file_name', info.fileName], ['content_type', info.contentType]] as const) {
    if (value === null) continue;
    pushLatin1(L, value);
    lua.lua_setfield(L, -2, key(name));
  }
}

/** Collects the POST fields of ex's body (reading it), see the file comment. */
export function* collectPostFields(ex: Exchange): Op<PostFields> {
  const type = ex.contentType;
  if (type === 'application/x-www-form-urlencoded') {
    if (ex.bodyStreamer !== null) {
      yield* ex.runBodyStreamer(true);
      return NO_FIELDS;
    }
    const body = ex.bodyBytes ?? (ex.streamed || ex.discardInput ? new Uint8Array(0) : yield* ex.readBody());
    return { params: parseQuery(latin1(body)), metadata: [] };
  }
  if (type === 'multipart/form-data') {
    const boundary = multipartBoundary(ex.contentTypeHeader);
    if (boundary === null) {
      if (ex.bodyBytes !== null || ex.streamed || ex.discardInput) return NO_FIELDS;
      return yield* ex.failBody(new HttpError('415 Unsupported Media Type', 'Unknown Content-Type of request body'));
    }
    if (ex.bodyBytes !== null) return parseWhole(ex, boundary, ex.bodyBytes);
    if (ex.bodyStreamer !== null) {
      yield* ex.runBodyStreamer(true);
      return NO_FIELDS;
    }
    if (ex.streamed || ex.discardInput) return NO_FIELDS;
    return yield* streamMultipart(ex, boundary);
  }
  if (ex.bodyStreamer !== null) yield* ex.runBodyStreamer(true);
  return NO_FIELDS;
}

/** Adds a collected part (a named field) to the fields: its value and its metadata. */
function addField(fields: PostFields, info: PartInfo, parts: Uint8Array[]): void {
  const name = info.fieldName as string;
  fields.params.push([name, parts.length === 1 ? parts[0] : Buffer.concat(parts)]);
  fields.metadata.push([name, info]);
}

/** A multipart body already read whole (request.body came first): no streamers, every field collected. */
function parseWhole(ex: Exchange, boundary: string, body: Uint8Array): PostFields {
  const fields: PostFields = { params: [], metadata: [] };
  let info: PartInfo | null = null;
  let parts: Uint8Array[] = [];
  const parser = new MultipartParser(boundary, {
    partBegin: (i) => { info = i; parts = []; },
    partData: (d) => { parts.push(d.buffer === body.buffer ? d : Uint8Array.prototype.slice.call(d) as Uint8Array); },
    partEnd: () => {
      const i = info as PartInfo | null;
      if (i !== null && i.fieldName !== null) addField(fields, i, parts);
    },
  }, { maxPartHeaderSize: ex.conn.options.headerSizeLimit });
  parser.feed(body);
  parser.end();
  return fields;
}

type PartEvent =
  | { t: 'begin'; info: PartInfo }
  | { t: 'data'; data: Uint8Array }
  | { t: 'end' };

/** The part being received: collected (parts), streamed (ref), or dropped (no name). */
interface CurrentPart {
  info: PartInfo;
  streamer: number | null;
  /** The streamer got its first call (chunk, metadata). */
  started: boolean;
  parts: Uint8Array[] | null;
}

/** Pushes string.match(name, pattern) for a stream_post_params rule. */
function pushMatch(L: LuaState, name: string, pattern: Uint8Array): number {
  lua.lua_getglobal(L, key('string'));
  lua.lua_getfield(L, -1, key('match'));
  lua.lua_remove(L, -2);
  pushLatin1(L, name);
  pushBytes(L, pattern);
  return 2;
}

function* streamerFor(ex: Exchange, info: PartInfo): Op<number | null> {
  const name = info.fieldName;
  if (name === null) return null;
  const exact = ex.fieldStreamers?.get(name);
  if (exact !== undefined) return exact;
  for (const [pattern, ref] of ex.patternStreamers ?? []) {
    if ((yield callLua((L) => pushMatch(L, name, pattern))) !== FALSY) return ref;
  }
  return null;
}

function callStreamer(ref: number, chunk: Uint8Array | null, metadata: PartInfo | null) {
  return callLua((L) => {
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
    if (chunk === null) return 0;
    pushOwnedBytes(L, chunk);
    if (metadata === null) return 1;
    pushMetadata(L, metadata);
    return 2;
  });
}

/** Streams a multipart body through the parser, calling field streamers as parts arrive. */
function* streamMultipart(ex: Exchange, boundary: string): Op<PostFields> {
  const fields: PostFields = { params: [], metadata: [] };
  const events: PartEvent[] = [];
  const parser = new MultipartParser(boundary, {
    partBegin: (info) => { events.push({ t: 'begin', info }); },
    // Views into the piece fed (a copy owned here) are kept as they are; the
    // parser's own carry-over buffer is reused, so views into it are copied.
    partData: (data) => {
      events.push({ t: 'data', data: feeding !== null && data.buffer === feeding.buffer ? data : Uint8Array.prototype.slice.call(data) as Uint8Array });
    },
    partEnd: () => { events.push({ t: 'end' }); },
  }, { maxPartHeaderSize: ex.conn.options.headerSizeLimit });
  ex.streamed = true;
  const max = ex.conn.options.maximumInputChunkSize;
  let part: CurrentPart | null = null;
  let feeding: Uint8Array | null = null;
  for (;;) {
    const piece = yield* ex.readPiece(max);
    feeding = piece;
    try {
      if (piece === null) parser.end();
      else if (!parser.done) parser.feed(piece);
    } catch (err) {
      if (err instanceof HttpError) yield* ex.failBody(err);
      throw err;
    }
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (e.t === 'begin') {
        const streamer = yield* streamerFor(ex, e.info);
        part = { info: e.info, streamer, started: false, parts: streamer === null && e.info.fieldName !== null ? [] : null };
      } else if (part === null) {
        throw new Error('multipart parser event outside a part');
      } else if (e.t === 'data') {
        if (part.streamer !== null) {
          yield callStreamer(part.streamer, e.data, part.started ? null : part.info);
          part.started = true;
        } else if (part.parts !== null) {
          part.parts.push(e.data);
        }
      } else {
        if (part.streamer !== null) {
          // The reference: an empty part is ("", metadata) then the end call.
          if (!part.started) yield callStreamer(part.streamer, new Uint8Array(0), part.info);
          yield callStreamer(part.streamer, null, null);
        } else if (part.parts !== null) {
          addField(fields, part.info, part.parts);
        }
        part = null;
      }
    }
    events.length = 0;
    if (piece === null) return fields;
  }
}
