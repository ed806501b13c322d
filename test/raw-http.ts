// Raw HTTP over a socket, for what a client library would not send: trickled bodies, oversized or malformed requests.
import { connect } from 'node:net';

/**
 * A raw HTTP exchange: sends `head`, then `drip` every 100 ms (until `finishAfterMs`, when it sends what `finish` makes
 * of the number of drips sent), and returns what came back once the server closes the connection.
 */
export async function exchange(
  port: number,
  head: string,
  options: { drip?: string; finishAfterMs?: number; finish?: (dripped: number) => string } = {},
): Promise<{ text: string; status: number; headers: Record<string, string>; body: string; closed: boolean; ms: number }> {
  const started = Date.now();
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head);
      if (options.drip === undefined) return;
      let dripped = 0;
      const drip = setInterval(() => {
        if (options.finishAfterMs !== undefined && Date.now() - started >= options.finishAfterMs) {
          clearInterval(drip);
          socket.write(options.finish?.(dripped) ?? '');
        } else {
          socket.write(options.drip ?? '');
          dripped += 1;
        }
      }, 100);
      socket.on('close', () => clearInterval(drip));
    });
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk;
    });
    // A backstop for a server that never closes; cleared on close, so it does not keep the test process alive.
    const giveUp = setTimeout(() => socket.destroy(), 15_000);
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve(data);
    });
    socket.on('error', reject);
  });
  const [top = '', body = ''] = text.split('\r\n\r\n', 2);
  const [statusLine = '', ...lines] = top.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { text, status: Number(statusLine.split(' ')[1]), headers, body, closed: true, ms: Date.now() - started };
}
