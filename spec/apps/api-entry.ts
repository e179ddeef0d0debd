// Not run: the server refuses TypeScript source (it must be compiled first).
export {};
