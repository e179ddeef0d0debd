-- diff-exit: os.exit
-- os.exit(5) after output, some of it still buffered: nothing is lost, and
-- the process exits 5. Argument errors are ordinary (catchable) errors.
print(pcall(os.exit, 1.5))
print(pcall(os.exit, "x"))
print(pcall(os.exit, {}))
print("printed")
io.write("written, no newline")
io.stdout:write(" | via io.stdout")
os.exit(5)
print("not reached")
