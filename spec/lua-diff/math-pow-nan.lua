-- C's pow() and the sign of NaN results (patched luai_numpow and math.log).
local inf = math.huge
for _, e in ipairs{"math.sin(inf)","math.cos(inf)","math.tan(inf)","math.asin(2)","math.acos(2)","math.log(-1)","math.log(-1,2)","math.log(-1,10)","math.log(-1,3)","math.log(0)","math.exp(0/0)","math.sqrt(-1)","math.fmod(1,0.0)","math.fmod(inf,1)","(-8)^0.5","(-8)^(1/3)","inf-inf","inf*0","0/0","(0/0)^1","1^(0/0)","(-1)^inf","(0/0)^0","math.ult and 1","-inf%1","inf%2", "5.5%0/0", "math.floor(-0.0)", "math.modf(0/0)", "math.abs(0/0)", "-(0/0)", "math.max(0/0, 1)", "math.min(1, 0/0)", "math.tointeger(0/0)", "1e308*10-1e308*10"} do
  print(e, load("local inf = math.huge return " .. e)())
end
local nan, pnan = 0/0, -(0/0)
for _, p in ipairs{{nan,1},{nan,2},{pnan,1},{pnan,0.5},{2,nan},{2,pnan},{-2,nan},{-1,nan},{nan,0},{-8,0.5},{-8,-0.5},{-0.5,1.5},{-math.huge,0.5},{-1,math.huge},{-1,-math.huge},{1,nan}} do
  print(p[1], p[2], p[1]^p[2])
end
for _, x in ipairs{-1, -math.huge, nan, pnan, -0.0} do print(x, math.log(x), math.log(x, 2), math.log(x, 10), math.log(x, 3), math.exp(x), math.sqrt(x)) end
