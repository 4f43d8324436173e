import WebSocket from 'ws';

/**
 * A `ws` client whose upgrade carried `token` in the `Authorization` header, once open; rejects
 * with the server's refusal (`Unexpected server response: 401`) when the upgrade is refused.
 */
export async function openWebSocket(url: string, token: string): Promise<WebSocket> {
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Sends a gateway message (`{ event, data }`) and resolves with the next frame, parsed. */
export function askGateway<T = unknown>(
  socket: WebSocket,
  event: string,
  data: unknown = {},
): Promise<T> {
  const answer = new Promise<T>((resolve) =>
    socket.once('message', (raw: Buffer) => resolve(JSON.parse(raw.toString()) as T)),
  );
  socket.send(JSON.stringify({ event, data }));
  return answer;
}
