-- mondelefant_native against a real PostgreSQL: prints what each call
-- returns, in a form that is the same under lua5.3 with WebMCP's compiled C
-- module (the oracle, where one is at hand) and under moonbridge-lua.
-- The connection comes from MONDELEFANT_CONNINFO.
local mondelefant = require "mondelefant_native"
local conninfo = assert(os.getenv("MONDELEFANT_CONNINFO"), "MONDELEFANT_CONNINFO not set")

-- error positions name this script: without its folder, which differs between checkouts
local raw_print = print
function print(...)
  local t = table.pack(...)
  for i = 1, t.n do
    if type(t[i]) == "string" then t[i] = t[i]:gsub("[^\t ]*/webmcp%-diff/", "") end
  end
  raw_print(table.unpack(t, 1, t.n))
end

local function show(v)
  local t = type(v)
  if t == "string" then return string.format("%q", v) end
  if t == "table" then return "table" end
  if t == "userdata" then return "userdata" end
  if t == "function" then return "function" end
  return tostring(v)
end

-- an error object's fields, sorted, without those that differ between runs
local VARIABLE = { connection = true, pg_source_line = true, pg_source_file = true, pg_source_function = true }
local function show_error(err)
  if type(err) ~= "table" then return show(err) end
  local keys = {}
  for k in pairs(err) do if not VARIABLE[k] then keys[#keys + 1] = k end end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. show(err[k]) end
  parts[#parts + 1] = "mt=" .. tostring(getmetatable(err) == mondelefant.errorobject_metatable)
  return "{" .. table.concat(parts, " ") .. "}"
end

local function section(name) print("== " .. name) end

section "module"
for _, name in ipairs{ "connect", "set_class", "new_class", "postgresql_connection_prototype",
  "connection_prototype", "result_metatable", "class_metatable", "class_prototype", "errorobject_metatable" } do
  print(name, type(mondelefant[name]))
end
local methods = {}
for k in pairs(mondelefant.postgresql_connection_prototype) do methods[#methods + 1] = k end
table.sort(methods)
print("methods", table.concat(methods, " "))
local proto = {}
for k, v in pairs(mondelefant.class_prototype) do proto[#proto + 1] = k .. ":" .. type(v) end
table.sort(proto)
print("class_prototype", table.concat(proto, " "))

section "connect failures"
do
  local db, msg, err = mondelefant.connect{ host = "127.0.0.1", port = "1", dbname = "x", connect_timeout = "2" }
  print(db, type(msg), err.code, err.message == msg, getmetatable(err) == mondelefant.errorobject_metatable)
  print(pcall(mondelefant.connect, 42))
  print(pcall(mondelefant.connect, { conninfo = 42 }))
  print(select("#", mondelefant.connect("nosuchoption=1")), (select(3, mondelefant.connect("nosuchoption=1"))).code)
end

section "connection"
local db = assert(mondelefant.connect(conninfo))
print(type(db), math.type(db.fd), db.engine, db:is_ok(), db:get_transaction_status())
db.my_field = "mine"
print(db.my_field, rawequal(db.query, mondelefant.postgresql_connection_prototype.query))
db.prototype = { extra = function() return "from prototype" end }
print(db:extra())
mondelefant.connection_prototype.generic = function() return "generic" end
print(db:generic(), db.nonexistent)

section "setup"
db:query("SET client_min_messages = warning")
db:query("DROP TABLE IF EXISTS mbt_item, mbt_group")
db:query([[CREATE TABLE mbt_group (id int4 PRIMARY KEY, name text NOT NULL)]])
db:query([[CREATE TABLE mbt_item (
  id serial PRIMARY KEY, group_id int4 REFERENCES mbt_group (id), title varchar(20) UNIQUE,
  amount numeric(10,2), flag bool, data bytea, doc json, created date DEFAULT '2020-02-29')]])
db:query("INSERT INTO mbt_group VALUES (1, 'one'), (2, 'two')")

section "quoting"
print(db:quote_string("it's"), db:quote_string([[back\slash]]), db:quote_string(""))
print(db:quote_string(12), pcall(db.quote_string, db, {}))
local all = {}
for i = 0, 255 do all[#all + 1] = string.char(i) end
all = table.concat(all)
print(#db:quote_binary(all), db:quote_binary("a\0b'"))

section "assemble_command"
print(db:assemble_command("plain ? $"))
print(db:assemble_command{ "a=? b=? c=? d=? e=?", "x'y", 5, 2.5, true, false })
print(db:assemble_command{ "n=? m=?name ?? $$ end", nil, name = "N" })
print(db:assemble_command{ "list($) named($inner)", { "1", { "?", 2 }, sep = " | " }, inner = { "a", "b" } })
print(db:assemble_command(setmetatable({}, { __tostring = function() return "from tostring" end })))
for _, bad in ipairs{
  { 1 }, { "$" }, { "$", "notatable" }, { "$", { "x", sep = {} } }, { "?", {} },
} do
  print(pcall(db.assemble_command, db, bad))
end
print(pcall(db.assemble_command, db, 42))
db.input_converter = function(conn, value, info)
  return "<" .. tostring(value) .. ":" .. tostring(info.field_name) .. ">"
end
print(db:assemble_command{ "? ?named", 1, named = true })
db.input_converter = function() return {} end
print(pcall(db.assemble_command, db, { "?", 1 }))
db.input_converter = nil

section "query modes"
local function show_list(list)
  local rows = {}
  for i, row in ipairs(list) do
    local cells = {}
    for j = 1, #list._column_info do cells[j] = show(row[j]) end
    rows[i] = "[" .. table.concat(cells, ",") .. "]"
  end
  return list._type .. " #" .. #list .. " " .. table.concat(rows, " ") .. " affected=" .. tostring(list._rows_affected)
end
local list = db:query("SELECT id, name FROM mbt_group ORDER BY id")
print(show_list(list), list._connection == db, getmetatable(list) == mondelefant.result_metatable)
print(list[1]._type, list[1]._data.name, list[1].name, list[2].id, list[1]._col.name)
local obj = db:query("SELECT id, name FROM mbt_group WHERE id = 2", "object")
print(obj._type, obj.id, obj.name, obj[1], obj[2], obj._rows_affected)
print(db:query("SELECT 1 WHERE false", "opt_object"))
local a, b, c = db:query("SELECT 1 AS x", "object", "SELECT 2 AS y", "list", { "SELECT ? AS z", "three" }, "opt_object")
print(a.x, b[1].y, c.z, select("#", db:query("SELECT 1", "list", "SELECT 2")))
print(pcall(db.query, db, "SELECT 1", "nonsense"))

section "column info"
local info = db:query("SELECT id, group_id, title, amount, flag, data, doc, created, 1::int8 AS big, 'x'::name AS n, now()::timestamptz AS ts FROM mbt_item", "list")._column_info
for i, col in ipairs(info) do
  print(i, col.field_name, col.type, col.type_oid, type(col.table_oid), col.table_column_number, col.type_modifier,
    info[col.field_name] == col)
end

section "commands"
local r = db:query{ "INSERT INTO mbt_item (group_id, title, amount, flag, data, doc) VALUES (?, ?, ?, ?, ?, ?)", 1, "first", "12.50", true, "raw", '{"a":1}' }
print(r._type, #r, r._rows_affected, r._oid)
db:query{ "INSERT INTO mbt_item (group_id, title, data) VALUES (2, 'second', $bin)", bin = { db:quote_binary(all) } }
print(db:query("UPDATE mbt_item SET flag = NOT coalesce(flag, false)")._rows_affected)
print(db:query("DELETE FROM mbt_item WHERE false")._rows_affected)
print(db:query("CREATE TEMP TABLE mbt_tmp (x int)")._rows_affected)
local bin = db:query("SELECT data FROM mbt_item WHERE title = 'second'", "object").data
print(#bin, bin == all)
local row = db:query("SELECT * FROM mbt_item WHERE title = 'first'", "object")
print(row.id, row.group_id, row.title, row.amount, row.flag, row.data, row.doc, row.created)

section "errors"
local function try(...)
  local err, r1 = db:try_query(...)
  if err then print(show_error(err)) else print("ok", r1 and r1._type) end
end
try("SELECT * FROM no_such_table")
try("SELECT 1; SELECT 'ünïcödé', nonsense FROM mbt_group")
try("SELECT 'ünïcödé', nonsense FROM mbt_group")
try("SELECT 'ünï' || (SELECT 'cödé' || nonsense) FROM mbt_group")
db:query("CREATE OR REPLACE FUNCTION mbt_f() RETURNS text LANGUAGE plpgsql AS 'BEGIN RETURN (SELECT ''ééé'' || nonsense); END'")
try("SELECT mbt_f()")
try("SELECT 1 AS a", "list", "SELECT 1/0", "list")
try("INSERT INTO mbt_item (title) VALUES ('first')")
try("INSERT INTO mbt_item (group_id) VALUES (99)")
try("INSERT INTO mbt_group (id) VALUES (3)")
try("SELECT id FROM mbt_group", "object")
try("SELECT id FROM mbt_group WHERE false", "object")
try("SELECT id FROM mbt_group", "opt_object")
try("SELECT 1; SELECT 2")
try("")
try("DO $$ BEGIN RAISE EXCEPTION 'custom' USING DETAIL = 'the detail', HINT = 'a hint', ERRCODE = 'P0001'; END $$")
try("SELECT (SELECT x FROM (SELECT 1 AS x UNION SELECT 2) s)")
local ok, err = pcall(db.query, db, "SELEC 1")
print(ok, getmetatable(err) == mondelefant.errorobject_metatable, err.code, err:is_kind_of("SyntaxErrorOrAccessRuleViolation"),
  err:is_kind_of("Syntax"), err:is_kind_of("SyntaxErrorOrAccessRuleViolation.X"))
local ok2, err2 = pcall(err.escalate, err)
print(ok2, err2 == err)
print(pcall(mondelefant.errorobject_metatable.__index.is_kind_of, {}, "x"))
local uerr = db:try_query("INSERT INTO mbt_item (title) VALUES ('first')")
print(uerr:is_kind_of("IntegrityConstraintViolation"), uerr:is_kind_of("IntegrityConstraintViolation.UniqueViolation"),
  uerr:is_kind_of("IntegrityConstraintViolation.Unique"))

section "statement limit"
local args = {}
for i = 1, 64 do args[#args + 1] = "SELECT " .. i .. " AS n"; args[#args + 1] = "object" end
local results = { db:query(table.unpack(args)) }
print(#results, results[1].n, results[64].n)
args[#args + 1] = "SELECT 65"
args[#args + 1] = "object"
print(pcall(db.query, db, table.unpack(args)))

section "transactions"
print(db:get_transaction_status())
db:query("BEGIN")
print(db:get_transaction_status())
db:try_query("SELECT nonsense")
print(db:get_transaction_status())
db:query("ROLLBACK")
print(db:get_transaction_status())

section "tracer and converters"
db.sql_tracer = function(conn, command)
  print("trace", command)
  return function(err) print("trace done", err and err.code) end
end
db:query("SELECT 1 AS one")
db:try_query("SELECT nonsense")
db.sql_tracer = nil
db.output_converter = function(conn, value, info)
  if value == nil then return nil end
  if info.type == "int4" then return tonumber(value) * 10 end
  return value
end
mondelefant.save_mutability_state = function(value) return "state:" .. tostring(value) end
local conv = db:query("SELECT 4 AS n, 'x' AS s, NULL::int4 AS z", "object")
print(conv.n, conv[1], conv.s, conv.z, conv._dirty.n, conv._dirty.s, conv._dirty.z)
local convlist = db:query("SELECT 1 AS n UNION ALL SELECT 2 ORDER BY 1")
print(convlist[1].n, convlist[2].n, convlist[2]._dirty.n)
db.output_converter = nil
mondelefant.save_mutability_state = nil

section "classes"
local Group = mondelefant.new_class()
print(getmetatable(Group) == mondelefant.class_metatable, Group.prototype == mondelefant.class_prototype)
for _, k in ipairs{ "object", "object_get", "object_set", "list", "references", "foreign_keys" } do
  io.write(k, "=", type(rawget(Group, k)), " ")
end
print()
print(Group.get_reference == mondelefant.class_prototype.get_reference)
local Item = mondelefant.new_class{ object = { describe = function(self) return "item " .. self.title end } }
Item.object_get.shout = function(self) return string.upper(self.title) end
Item.object_set.title_lower = function(self, v) self.title = string.lower(v) end
Item.references.group = { this_key = "group_id", that_key = "id", ref = "group" }
Item.foreign_keys.group_id = "group"
print(Item:get_reference("group").this_key, Item:get_reference("nope"), Item:get_foreign_key_reference_name("group_id"))
print(pcall(Item.iterate_over_references, Item))
local Special = mondelefant.new_class{ prototype = Item, list = { size = function(self) return #self end } }
print(Special:get_reference("group").that_key, Special.object.describe == nil, Special.get_reference ~= nil)

local items = db:query("SELECT id, group_id, title FROM mbt_item ORDER BY id")
print(mondelefant.set_class(items, Special) == items, items._class == Special, items[1]._class == Special, items:size())
local it = items[1]
print(it:describe(), it.shout, it.title)
it.title_lower = "RENAMED"
print(it.title, it._dirty.title, it._data.title)
print(it.group_id, it._col.group_id)
-- a cached reference: the foreign key reads through it
local g2 = db:query("SELECT id, name FROM mbt_group WHERE id = 2", "object")
it.group = g2
print(it._ref.group == g2, it._data.group_id, it._dirty.group_id, it.group_id, it._col.group_id, it.group == g2)
it.group = nil
print(it._ref.group, it.group, it.group_id)
it._col.group_id = 1
print(it._ref.group, it._data.group_id, it._dirty.group_id)
it.group_id = 2
print(it._data.group_id)
-- a reference not loaded yet calls object:load(name)
Item.object.load = function(self, name) print("load", name); self._ref[name] = false end
local fresh = db:query("SELECT id, group_id, title FROM mbt_item ORDER BY id LIMIT 1", "object")
mondelefant.set_class(fresh, Item)
print(fresh.group, fresh._ref.group)
-- a document column
local Doc = mondelefant.new_class{ document_column = "doc" }
local d = db:query("SELECT 1 AS id", "object")
mondelefant.set_class(d, Doc)
print(pcall(function() d.field = 1 end))
d._data.doc = { inner = "v" }
print(d.inner, d.id)
d.inner = "w"
print(d._data.doc.inner)
print(pcall(mondelefant.set_class, {}, Item))
print(pcall(mondelefant.set_class, items, {}))
-- fields starting with "_" and non-string keys are plain
it._private = 1
it[99] = "n"
print(rawget(it, "_private"), rawget(it, 99), it._nothing)
-- lists store any key raw
items.note = "noted"
print(rawget(items, "note"), items.nope)

section "create_list and create_object"
local l = db:create_list()
print(l._type, l._connection == db, l._class == mondelefant.class_prototype, #l)
local l2 = db:create_list{ 1, 2 }
print(l2._type, #l2)
local o = db:create_object()
print(o._type, type(o._data), type(o._dirty), type(o._ref), type(o._col), getmetatable(o) == mondelefant.result_metatable)
o.x = 5
print(o._data.x, o._dirty.x, o._col.x)
print(pcall(db.create_list, db, 5))
print(pcall(db.create_object, {}))

section "notifications"
print(db:try_wait(0))
db:query("LISTEN mbt_channel")
db:query("NOTIFY mbt_channel, 'payload one'")
db:query("NOTIFY mbt_channel")
local e1, ch1, p1, pid1 = db:try_wait(0)
print(e1, ch1, p1, math.type(pid1))
local ch2, p2, pid2 = db:wait(0)
print(ch2, p2, math.type(pid2))
print(db:try_wait(0.05))
print(pcall(db.try_wait, db, -1))
print(pcall(db.try_wait, db, "soon"))
print(pcall(db.try_wait, db, 86400 * 367))
local other = assert(mondelefant.connect(conninfo))
other:query("NOTIFY mbt_channel, 'from other'")
other:close()
local ch3, p3, pid3 = db:wait(5)
print(ch3, p3, math.type(pid3))

section "close"
db:query("DROP TABLE mbt_item, mbt_group", "list", "DROP FUNCTION mbt_f()", "list")
db:close()
print(db.fd, pcall(db.query, db, "SELECT 1"))
print(pcall(db.is_ok, db))
print(pcall(db.close, db))
print(db:create_list()._type)

section "connection lost"
do
  local lost = assert(mondelefant.connect(conninfo))
  local killer = assert(mondelefant.connect(conninfo))
  local pid = lost:query("SELECT pg_backend_pid() AS p", "object").p
  killer:query({ "SELECT pg_terminate_backend(?::int)", pid })
  killer:close()
  os.execute("sleep 0.3")
  print(show_error(lost:try_query("SELECT 1")))
  print(lost:is_ok(), lost:get_transaction_status())
  print(show_error(lost:try_query("SELECT 1")))
  print(show_error(lost:try_wait(0)))
  local ok, raised = pcall(lost.query, lost, "SELECT 1")
  print(ok, raised.code, getmetatable(raised) == mondelefant.errorobject_metatable)
  lost:close()
end
print("done")
