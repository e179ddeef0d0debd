-- diff-env: LUA_PATH_5_3=./?.v53;/opt/?.lua LUA_PATH=./?.ignored LUA_CPATH=/x/?.so;?.so
-- package.path and package.cpath from the environment: the versioned
-- variable wins over the plain one; package.config; the package table.
print(package.path)
print(package.cpath)
print(string.format("%q", package.config))
local keys = {}
for k in pairs(package) do keys[#keys + 1] = k end
table.sort(keys)
print(table.concat(keys, " "))
print(type(package.loaded), type(package.preload), type(package.searchers))
print(package.loaded.package == package, package.loaded._G == _G, package.loaded.debug == debug,
      package.loaded.coroutine == coroutine, package.loaded.io == io, package.loaded.os == os,
      package.loaded.math == math, package.loaded.string == string, package.loaded.table == table,
      package.loaded.utf8 == utf8)
print(package.loaded.fengari, package.jspath, rawget(_G, "fengari"))
print(debug.getregistry()._LOADED == package.loaded, debug.getregistry()._PRELOAD == package.preload)
