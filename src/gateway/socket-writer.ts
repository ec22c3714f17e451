import type { Socket } from 'node:net';
import { WebSocket } from 'ws';

const corked = new WeakSet<WebSocket>();

/**
 * Sends one text frame. Frames sent to one socket in the same tick (a burst of tokens, a reply's last
 * frames) leave in one write: the first corks the TCP socket and the end of the tick uncorks it, so the
 * kernel gets one `writev` instead of one write per frame. `ws` keeps its TCP socket in `_socket`
 * (not public API): without it, frames go out one by one as before.
 */
export function sendText(client: WebSocket, text: string): void {
  if (client.readyState !== WebSocket.OPEN) return;
  if (!corked.has(client)) {
    const raw = (client as unknown as { _socket?: Socket })._socket;
    if (raw && !raw.destroyed) {
      corked.add(client);
      raw.cork();
      process.nextTick(() => {
        corked.delete(client);
        raw.uncork();
      });
    }
  }
  client.send(text);
}
