import { createServer } from 'node:net';

export class PortInUseError extends Error {}

/** Fails with a readable message when host:port cannot be bound, before anything is created. */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new PortInUseError(
            `port ${port} on ${host} is already in use: stop the process holding it or set PORT to a free port`,
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(
          new PortInUseError(
            `port ${port} on ${host} needs privileges this user does not have: set PORT to 1024 or above`,
          ),
        );
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
        reject(
          new PortInUseError(
            `HOST ${host} is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of its addresses`,
          ),
        );
      } else {
        reject(error);
      }
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}
