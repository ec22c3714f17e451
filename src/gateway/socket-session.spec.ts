import { expect } from '@jest/globals';
import { ANONYMOUS } from '../auth/principal';
import { SocketSession } from './socket-session';
import { parseWsTarget, WsTarget } from './ws-target';

const target = (url: string): WsTarget => {
  const parsed = parseWsTarget(url);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.target;
};

describe(SocketSession.name, () => {
  it('an unauthenticated socket is its own rate-limit user, with one key for its whole life', () => {
    const [a, b] = [new SocketSession(target('/ws/a'), ANONYMOUS), new SocketSession(target('/ws/a'), ANONYMOUS)];
    expect(a.rateKey).toMatch(/^socket:[0-9a-f-]{36}$/);
    expect(a.rateKey).toBe(a.rateKey);
    expect(a.rateKey).not.toBe(b.rateKey);
    expect(new SocketSession(target('/ws/a'), { userId: 'alice', via: 'api_key' }).rateKey).toBe('user:alice');
  });

  it('frames wait for the greeting; once it is done the socket no longer holds it', async () => {
    const socket = new SocketSession(target('/ws/a?protocol=2'), ANONYMOUS);
    let greeted!: () => void;
    const greeting = new Promise<void>((resolve) => (greeted = resolve));
    socket.greeting(greeting);
    expect(socket.ready).toBe(greeting);
    greeted();
    await greeting;
    await Promise.resolve();
    expect(socket.ready).not.toBe(greeting);
    await expect(socket.ready).resolves.toBeUndefined();
  });

  it('stops its follow when it follows another one and when it closes', () => {
    const socket = new SocketSession(target('/ws/a?protocol=2'), ANONYMOUS);
    const stops: string[] = [];
    socket.follow({ stop: () => stops.push('first') });
    socket.follow({ stop: () => stops.push('second') });
    socket.close();
    socket.close();
    expect(stops).toEqual(['first', 'second']);
  });
});
