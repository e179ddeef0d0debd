/**
 * WebMCP's json module (src/webmcp/json.ts), run as an app's Lua through
 * bin/moonbridge-lua: round trips, export output byte for byte as json.c
 * writes it, import errors (nil + message), the metatables of JSON objects
 * and arrays, json.get / type / set, and require finding it before a json.so
 * on package.cpath.
 */
import { strict as assert } from 'assert';
import * as path from 'path';
import { runLua } from './helpers/run-lua';

/** Runs Lua code with `json` and a checking function eq(got, want, label) in scope; it must print "done". */
function check(code: string, files: Record<string, string> = {}): void {
  const r = runLua(`
local json = require "json"
local function show(v) if type(v) == "string" then return string.format("%q", v) end return tostring(v) .. " (" .. (math.type(v) or type(v)) .. ")" end
local function eq(got, want, label)
  if got ~= want or math.type(got) ~= math.type(want) then
    error((label or "value") .. ": got " .. show(got) .. ", want " .. show(want), 2)
  end
end
local function errs(pattern, f, ...)
  local ok, msg = pcall(f, ...)
  if ok then error("no error, want " .. pattern, 2) end
  if not string.find(tostring(msg), pattern, 1, true) then error("error " .. tostring(msg) .. ", want " .. pattern, 2) end
end
${code}
print("done")
`, files);
  assert.equal(r.stdout.trim().split('\n').pop(), 'done', `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

describe('WebMCP json (TypeScript replacement of json.c)', function () {
  this.timeout(60000);

  it('round-trips nested objects and arrays, null, booleans, strings and numbers', function () {
    check(`
      local text = '{"a":[1,2.5,null,true,false,"x",{"b":{}}],"n":null,"s":"\\\\u00e9","e":[]}'
      local doc = assert(json.import(text))
      eq(json.export(doc), '{"a":[1,2.5,null,true,false,"x",{"b":{}}],"e":[],"n":null,"s":"\\195\\169"}', "export")
      eq(json.export(json.import(json.export(doc))), json.export(doc), "second round")
      eq(doc.a[1], 1); eq(doc.a[2], 2.5); eq(doc.a[3], nil); eq(doc.a[4], true); eq(doc.a[5], false)
      eq(json.type(doc.a[7].b), "object"); eq(json.type(doc.e), "array"); eq(doc.n, nil)
      eq(json.import("null"), json.null, "top-level null")
      eq(json.import(" 5 "), 5); eq(json.import('"x"'), "x"); eq(json.import("true"), true)
      eq(json.import('[1,]')[1], 1, "trailing comma"); eq(json.export(json.import('{"a":1,}')), '{"a":1}')
      eq(json.export(json.import('\\f\\v\\t\\r\\n [ 1 ]\\n')), "[1]", "all C whitespace")
      eq(json.import(12), 12, "a number argument is read as its string")
    `);
  });

  it('reads numbers as json.c does: integers when all digits fit, else strtod floats', function () {
    check(`
      eq(json.import("1"), 1); eq(json.import("-0"), 0); eq(json.import("+5"), 5)
      eq(json.import("1.0"), 1.0); eq(json.import("1e2"), 100.0); eq(json.import("-2.5E-1"), -0.25)
      eq(json.import(tostring(math.maxinteger)), math.maxinteger, "maxinteger")
      eq(json.import(tostring(math.mininteger)), math.mininteger, "mininteger")
      eq(json.import("9007199254740992"), 9007199254740992.0, "beyond maxinteger: a float")
      eq(json.import("-9007199254740993"), -9007199254740993.0)
      eq(json.import("0x10"), 16.0, "strtod reads hex"); eq(json.import("-.5"), -0.5); eq(json.import("1."), 1.0)
      eq(json.import("1e400"), math.huge); eq(json.import("-inf"), -math.huge)
      local nan = json.import("+nan"); assert(nan ~= nan, "nan")
      eq(json.import("[1e5,2]")[1], 100000.0)
      eq(select(2, json.import("-")), "Syntax error in JSON document")
      eq(select(2, json.import("1x")), "Syntax error in JSON document")
    `);
  });

  it('decodes escapes: \\\\uXXXX to UTF-8 including surrogate pairs, and the short escapes', function () {
    check(`
      eq(json.import('"\\\\u00e9\\\\u20ac\\\\ud83d\\\\ude00\\\\u0041\\\\/\\\\"\\\\\\\\\\\\b\\\\f\\\\n\\\\r\\\\t"'),
        "\\195\\169\\226\\130\\172\\240\\159\\152\\128A/\\"\\\\\\b\\f\\n\\r\\t")
      eq(json.import('"\\\\uDBFF\\\\uDFFF"'), "\\244\\143\\191\\191", "U+10FFFF")
      eq(json.import('"\\\\u0000"'), "\\0", "NUL from an escape")
      eq(json.import('"\\\\u07FF\\\\u0800\\\\uFFFF"'), "\\223\\191\\224\\160\\128\\239\\191\\191")
      eq(json.import('""'), "")
      eq(json.import('"\\195\\169"'), "\\195\\169", "raw UTF-8 passes")
    `);
  });

  it('returns nil and json.c\'s message for invalid documents', function () {
    check(`
      local function bad(text, msg)
        local v, m = json.import(text)
        if v ~= nil or m ~= msg then error(string.format("%q: got %s, %s; want %s", text, tostring(v), tostring(m), msg), 2) end
      end
      bad("", "Empty string"); bad("  \\n", "Empty string")
      bad("[1,", "Unexpected end of JSON document"); bad('{"a":', "Unexpected end of JSON document")
      bad('"abc', "Unexpected end of JSON document"); bad('"\\\\u12', "Unexpected end of JSON document")
      bad('"a\\\\\\\\"', "Unexpected end of JSON document") -- json.c's look-ahead skips a quote after any backslash
      eq(json.import('["a\\\\\\\\","b"]')[1], "a\\\\", "the same string followed by another quote")
      for _, t in ipairs{ "[1 2]", '{"a" 1}', "{1:2}", "[,]", "[1,,2]", "1 2", "nul", "[1]x", "]", "{]", '{"a":1]',
                          "a", "[1]]", ":", ",", '{"a"}', "\\0", "[1]\\0" } do
        bad(t, "Syntax error in JSON document")
      end
      bad('"a\\1b"', "Unexpected control character in JSON string"); bad('"\\127"', "Unexpected control character in JSON string")
      bad('"\\\\x"', "Unexpected string escape sequence in JSON document")
      bad('"\\\\v"', "Unexpected string escape sequence in JSON document")
      bad('"\\\\u12G4"', "Unexpected string escape sequence in JSON document")
      bad('"\\\\ud800"', "Illegal UTF-16 surrogate in JSON string escape sequence")
      bad('"\\\\udc00"', "Illegal UTF-16 surrogate in JSON string escape sequence")
      bad('"\\\\ud800\\\\u0041"', "Illegal UTF-16 surrogate in JSON string escape sequence")
      bad('"\\\\ud800x"', "Illegal UTF-16 surrogate in JSON string escape sequence")
      errs("string expected, got no value", json.import); errs("string expected, got nil", json.import, nil)
      errs("string expected, got table", json.import, {})
    `);
  });

  it('exports numbers, strings and top-level values byte for byte as json.c', function () {
    check(`
      local cases = {
        {1, "1"}, {-5, "-5"}, {math.maxinteger, tostring(math.maxinteger)}, {1.0, "1.0"}, {0.1, "0.1"}, {-0.0, "-0.0"},
        {1e20, "1e+20"}, {1e16, "10000000000000000.0"}, {2^53, "9007199254740992.0"}, {1/3, "0.3333333333333333"},
        {0.1 + 0.2, "0.30000000000000004"}, {1e-7, "1e-07"}, {123.456, "123.456"}, {-1.5e-10, "-1.5e-10"},
        {1e300, "1.0000000000000001e+300"}, {5e-324, "4.94065645841247e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
        {true, "true"}, {false, "false"}, {json.null, "null"},
        {'a"b\\\\c/\\1\\127\\b\\f\\n\\r\\t\\v\\31\\195\\169', '"a\\\\"b\\\\\\\\c/\\\\u0001\\\\u007F\\\\b\\\\f\\\\n\\\\r\\\\t\\\\v\\\\u001F\\195\\169"'},
        {"\\0", '"\\\\u0000"'},
      }
      for i, c in ipairs(cases) do eq(json.export(c[1]), c[2], "case " .. i) end
      eq(json.export(nil), "null"); eq(json.export(), "null")
      eq(json.export({1, 2, 3}), "[1,2,3]", "plain array"); eq(json.export({a = {1, 2}}), '{"a":[1,2]}', "plain object")
      eq(json.export({b = 1, a = 2, B = 3, aa = 4, ["\\195\\169"] = 5, [true] = 6}), '{"B":3,"a":2,"aa":4,"b":1,"\\195\\169":5}', "keys sorted bytewise")
      eq(json.export({[1] = 1, [2] = 2, [4] = 4}), "[1,2]", "an array ends at the first nil")
      eq(json.export(json.object{a = json.null}), '{"a":null}')
      eq(tostring(json.import('{"b":[1],"a":{}}')), '{"a":{},"b":[1]}', "__tostring is export")
    `);
  });

  it('pretty-prints with an indentation string (or true for two spaces) exactly as json.c', function () {
    check(`
      local doc = json.import('{"b":[1,2.5,null,{}],"a":true,"c":[]}')
      eq(json.export(doc, true), '{\\n  "a": true,\\n  "b": [\\n    1,\\n    2.5,\\n    null,\\n    {}\\n  ],\\n  "c": []\\n}\\n')
      eq(json.export(json.import('{"a":{"b":[]},"c":[{}]}'), "\\t"), '{\\n\\t"a": {\\n\\t\\t"b": []\\n\\t},\\n\\t"c": [\\n\\t\\t{}\\n\\t]\\n}\\n')
      eq(json.export(json.import('[[1,[2]],3]'), "--"), '[\\n--[\\n----1,\\n----[\\n------2\\n----]\\n--],\\n--3\\n]\\n')
      eq(json.export("x", true), '"x"\\n'); eq(json.export(json.array(), true), "[]\\n"); eq(json.export(json.object(), "  "), "{}\\n")
      eq(json.export(doc, false), '{"a":true,"b":[1,2.5,null,{}],"c":[]}'); eq(json.export(doc, nil), json.export(doc))
      eq(json.export(doc, ""), '{\\n"a": true,\\n"b": [\\n1,\\n2.5,\\nnull,\\n{}\\n],\\n"c": []\\n}\\n')
      errs("string expected, got number", json.export, doc, 5)
    `);
  });

  it('raises json.c\'s errors for values it cannot export', function () {
    check(`
      errs("JSON export not possible for NaN value", json.export, 0/0)
      errs("JSON export not possible for infinite numbers", json.export, {-math.huge})
      errs("JSON export not possible for ambiguous table (cannot decide whether it is an object or array)", json.export, {})
      errs("JSON export not possible for ambiguous table", json.export, {1, a = 2})
      errs("JSON export not possible for tables with nonsupported metatable", json.export, setmetatable({}, {}))
      errs('JSON export not possible for values of type "function"', json.export, {a = print})
      errs('JSON export not possible for values of type "thread"', json.export, coroutine.create(print))
    `);
  });

  it('gives JSON objects and arrays json.c\'s metatable behaviour', function () {
    check(`
      local o = json.import('{"a":null,"b":1}')
      eq(o.a, nil, "null reads as nil"); eq(o.b, 1); eq(rawget(o, "b"), nil, "contents live in the shadow table")
      local n, keys = 0, {}
      for k, v in pairs(o) do n = n + 1; keys[k] = v == nil and "nil" or v end
      eq(n, 2, "pairs yields null fields"); eq(keys.a, "nil"); eq(keys.b, 1)
      o.c = json.null; o.b = nil; o.d = {1}
      eq(json.export(o), '{"a":null,"c":null,"d":[1]}', "newindex: json.null sets null, nil deletes")
      local a = json.import('[1,null,3]')
      eq(#a, 3.0, "__len is the raw length as a float, as lua_pushnumber in C"); eq(a[2], nil); eq(a[3], 3)
      local got = {}
      for i, v in getmetatable(a).__ipairs(a) do got[#got + 1] = i .. "=" .. tostring(v) end
      eq(table.concat(got, ","), "1=1,2=nil,3=3", "__ipairs goes over nulls")
      got = {}
      for i, v in ipairs(a) do got[#got + 1] = i .. "=" .. tostring(v) end
      eq(table.concat(got, ","), "1=1,2=nil,3=3", "ipairs uses __ipairs, as in lua5.3")
      a[4] = "x"; eq(json.export(a), '[1,null,3,"x"]'); eq(#json.object(), 0.0)
      assert(getmetatable(json.object()) == getmetatable(o) and getmetatable(json.array()) == getmetatable(a))
      assert(getmetatable(o) ~= getmetatable(a))
      errs("Shadow table not found", getmetatable(o).__index, {}, "a")
      errs("Shadow table not found", getmetatable(o).__newindex, {}, "a", 1)
      errs("table expected, got number", getmetatable(o).__pairs, 1)
      eq(tostring(json.null), "<JSON null marker>"); eq(type(json.null), "userdata")
    `);
  });

  it('json.object and json.array copy tables (and __pairs / __len / __index values), never modifying them', function () {
    check(`
      local src = {a = 1, [1] = 2, [true] = 3}
      local o = json.object(src)
      eq(json.export(o), '{"a":1}'); eq(src[1], 2)
      eq(json.type(json.object(json.import('{"x":null}')), "x"), "null", "null survives a copy through __pairs")
      eq(json.export(json.array{1, "b", json.null}), '[1,"b",null]')
      local lazy = setmetatable({}, {__len = function() return 3 end, __index = function(_, i) if i ~= 2 then return i * 10 end end})
      eq(json.export(json.array(lazy)), "[10,null,30]")
      eq(json.export(json.array(json.import("[1,null]"))), "[1,null]")
      eq(json.type(json.object(nil)), "object"); eq(json.type(json.array()), "array")
      errs("table expected, got number", json.object, 5)
      errs("__pairs metamethod is not a function", json.object, setmetatable({}, {__pairs = 5}))
      errs("attempt to get length of a number value", json.array, 5)
    `);
  });

  it('json.get, json.type and json.set follow paths as in json.c', function () {
    check(`
      local doc = json.import('{"a":{"b":3,"n":null},"l":[10,null,{"x":"y"}]}')
      eq(json.get(doc, "a", "b"), 3); eq(json.get(doc, "c", "d"), nil); eq(json.get(doc, "a", "n"), nil)
      eq(json.get(doc, "l", 3, "x"), "y"); eq(json.get({a = {b = 3}}, "a", "b"), 3); eq(json.get(doc), doc)
      eq(json.get(json.null), nil); eq(json.get("s", "x"), nil)
      eq(json.type(doc, "a", "b"), "number"); eq(json.type(doc, "a", "n"), "null"); eq(json.type(doc, "a", "c"), "nil")
      eq(json.type(doc, "d", "c"), nil); eq(json.type(doc, "l"), "array"); eq(json.type(doc, "a"), "object")
      eq(json.type(doc, "l", 3, "x"), "string"); eq(json.type({}), "table"); eq(json.type(nil), "nil"); eq(json.type(true), "boolean")
      eq(json.type(json.null), "null")
      errs("bad argument #1", json.type); errs("bad argument #1", json.get)
      local d = json.object()
      assert(rawequal(json.set(d, 5, "a", 1, "b"), d), "set returns the document")
      eq(json.export(d), '{"a":[{"b":5}]}')
      json.set(d, json.null, "a", 1, "b"); eq(json.export(d), '{"a":[{"b":null}]}')
      json.set(d, nil, "a", 1, "b"); eq(json.export(d), '{"a":[{}]}')
      json.set(d, "v", "a", "k"); eq(json.export(d), '{"a":{"k":"v"}}', "an array where an object is needed is replaced")
      local t = {}; json.set(t, 1, "a", "b"); eq(json.type(t.a), "object"); eq(json.export(t), '{"a":{"b":1}}')
      errs("Root element is not a JSON object", json.set, 5, 1, "a")
      errs("Root element is not a JSON object", json.set, json.array(), 1, "a")
      errs("Root element is not a JSON array", json.set, json.object(), 1, 1)
      errs("Invalid path key of type boolean", json.set, json.object(), 1, true)
      errs("bad argument #3", json.set, json.object(), 1)
    `);
  });

  it('is found by require before a json.so on package.cpath, which is never loaded', function () {
    check(`
      package.cpath = "./lib/?.so;" .. package.cpath
      assert(package.searchpath("json", package.cpath), "the dummy json.so is on package.cpath")
      local j = require "json"
      assert(j == json and j.null and j.import, "the built-in module")
      eq(require("multirand").integer(1), 1)
    `, { 'lib/json.so': 'not an ELF file', 'lib/multirand.so': 'not an ELF file' });
  });
  it('yields to an app\'s own json.lua on package.path or multirand.js next to it, as a C module would', function () {
    const api = JSON.stringify(path.join(__dirname, '..', 'src', 'api', 'index.js'));
    check(`
      eq(json.own, true, "the app's json.lua")
      eq(require("multirand").integer(5), "js", "the app's multirand.js")
    `, {
      'json.lua': 'return { own = true }',
      'multirand.js': `const { defineLuaModule } = require(${api}); module.exports = defineLuaModule({ integer: () => 'js' });`,
    });
  });
});
