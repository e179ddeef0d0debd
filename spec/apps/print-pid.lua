-- Test app: prints the pid of the process running the main chunk, registers no listener.
print(moonbridge_io.getpid())
