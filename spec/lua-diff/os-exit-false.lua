-- diff-exit: os.exit
-- os.exit(false) is EXIT_FAILURE (1), from inside a protected call.
print("before")
io.write("buffered")
pcall(os.exit, false)
print("not reached")
