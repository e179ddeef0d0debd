-- Test app that registers no listener; prints its arguments first.
print("args", select("#", ...), ...)
