-- diff-stdin: debug-commands.txt
-- debug.debug: reads commands from stdin (prompt and errors on stderr),
-- runs each line as a chunk, stops at "cont"; a line longer than 249 bytes
-- is read in pieces; at the end of input it returns.
print("before")
debug.debug()
print("between", x, g)
print(io.read("l"))
debug.debug()
print("second session ended")
debug.debug()
print("end of input reached")
