import { loadConfig } from '../config/load-config';
import { InProcessSocketCaps } from './socket-caps';

describe(InProcessSocketCaps.name, () => {
  it('admits up to MAX_SOCKETS_PER_USER per user; a released slot is free again, once', async () => {
    const sut = new InProcessSocketCaps(loadConfig({ MAX_SOCKETS_PER_USER: '2' }));
    const first = await sut.acquire('alice');
    const second = await sut.acquire('alice');
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(await sut.acquire('alice')).toBeNull();
    expect(await sut.acquire('bob')).not.toBeNull();
    first?.();
    first?.();
    expect(await sut.acquire('alice')).not.toBeNull();
    expect(await sut.acquire('alice')).toBeNull();
  });
});
