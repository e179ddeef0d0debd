-- diff-exit: os.exit
-- The status is C's int, truncated to 8 bits by the system: 258 -> 2;
-- numeric strings are accepted.
print(select('#', ...))
io.write("x")
os.exit("258")
