// An ES module entry (import syntax): imported by the server before it forks.
import { listen, http, io } from 'moonbridge-lua';

listen({
  listeners: [{ proto: 'tcp', host: '127.0.0.1', port: Number(process.argv[2] ?? 0) }],
  connect: http.generateHandler((req) => {
    req.sendStatus('200 OK');
    req.sendData(`esm ${req.path} ${io.getpid() !== process.pid}`);
  }),
});
