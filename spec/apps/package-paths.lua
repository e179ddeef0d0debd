-- Test app: package.path has the app's directory and moonbridge-lua's lua/
-- folder after PUC's default; modules there are found whatever the working
-- directory; a C module found in package.cpath gets moonbridge-lua's error.
print(package.path)
print(package.cpath)
print(require("app_dir_module"))
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$")
package.cpath = dir .. "/?.so"
print(select(2, pcall(require, "fake_cmodule")))
print(select(2, pcall(require, "fake_cmodule.sub")))
