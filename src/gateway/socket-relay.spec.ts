import { expect } from '@jest/globals';
import { WebSocket } from 'ws';
import type { SequencedFrame } from '../agent-runtime/events/session-event-log';
import { ANONYMOUS } from '../auth/principal';
import { assistantDeltaFrame } from '../protocol/frame-builders';
import { MAX_BUFFERED_BYTES, SocketRelay } from './socket-relay';
import { SocketSession } from './socket-session';
import { parseWsTarget } from './ws-target';

/** The parts of a `ws` socket the relay uses. */
class FakeClient {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  failing = false;
  readonly sent: string[] = [];
  closed: number | undefined;
  send(text: string): void {
    if (this.failing) throw new Error('write failed');
    this.sent.push(text);
  }
  close(code: number): void {
    this.closed = code;
  }
}

const frame = (seq: number): SequencedFrame => ({ ...assistantDeltaFrame(`t${seq}`), seq });

function relay() {
  const client = new FakeClient();
  const parsed = parseWsTarget('/ws/s?protocol=2');
  if (!parsed.ok) throw new Error(parsed.message);
  const socket = new SocketSession(parsed.target, ANONYMOUS);
  const stops: number[] = [];
  socket.follow({ stop: () => stops.push(1) });
  return { client, stops, sut: new SocketRelay(client as unknown as WebSocket, socket, 's') };
}

describe(SocketRelay.name, () => {
  it('sends each frame as its JSON', () => {
    const { client, sut } = relay();
    sut.next(frame(1));
    expect(client.sent.map((t) => JSON.parse(t) as SequencedFrame)).toEqual([frame(1)]);
  });

  it('closes a socket that does not keep up (1013) and stops its follow', () => {
    const { client, stops, sut } = relay();
    client.bufferedAmount = MAX_BUFFERED_BYTES + 1;
    sut.next(frame(1));
    expect([client.sent, client.closed, stops]).toEqual([[], 1013, [1]]);
  });

  it('a failed write closes that socket (1011) instead of failing the turn that publishes', () => {
    const { client, sut } = relay();
    client.failing = true;
    expect(() => sut.next(frame(1))).not.toThrow();
    expect(client.closed).toBe(1011);
  });
});
