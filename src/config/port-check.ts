import { createServer } from 'node:net';
import { StartupError } from './startup-error';

/**
 * Fails when `port` cannot be listened on at `host` (in use, or not allowed), by listening on it and
 * closing at once: run before history is touched, so that a start on a port in use changes nothing.
 * Port 0 (any free port) always passes. Another process may still take the port in between; the
 * listen that follows then fails as it always did.
 */
export async function assertPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new StartupError(`Port ${port} on ${host} is already in use (EADDRINUSE): is another instance running? Stopped before opening history`));
      } else if (error.code === 'EACCES') {
        reject(new StartupError(`Port ${port} on ${host} may not be listened on by this user (EACCES)`));
      } else {
        reject(new StartupError(`Cannot listen on port ${port} on ${host}: ${error.code ?? error.message}`));
      }
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve()));
  });
}
