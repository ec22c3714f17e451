import { expect } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import type { AgentRuntimeService } from '../agent-runtime/agent-runtime.service';
import type { AuthService } from '../auth/auth.service';
import { ANONYMOUS, Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import type { OwnerScope } from '../session/owner-scope';
import type { TemporaryIds } from './temporary-ids';
import { UpgradeGate } from './upgrade-gate.service';

/** A gate whose session owners are `owners`; `asked` records every access check (a database read). */
function gate(principal: Principal, owners: Record<string, string>) {
  const asked: string[] = [];
  const runtime = {
    draining: false,
    access: (id: string, scope: OwnerScope): Promise<'visible' | 'missing' | 'foreign'> => {
      asked.push(id);
      const owner = owners[id];
      return Promise.resolve(owner === undefined ? 'missing' : scope === null || owner === scope ? 'visible' : 'foreign');
    },
  };
  const sut = new UpgradeGate(
    { authenticate: () => Promise.resolve(principal) } as unknown as AuthService,
    runtime as unknown as AgentRuntimeService,
    {} as TemporaryIds,
    { acquire: () => Promise.resolve(() => undefined) },
    { auth: { wsSessionCapability: false }, limits: { socketsPerUser: 10 } } as unknown as AppConfig,
  );
  const admit = async (url: string) => {
    const admission = await sut.admit({ url, headers: {} } as IncomingMessage);
    return admission.ok ? 'admitted' : admission.status;
  };
  return { admit, asked };
}

describe(UpgradeGate.name, () => {
  it("refuses another user's session with 404, after asking who owns it", async () => {
    const { admit, asked } = gate({ userId: 'alice', via: 'api_key' }, { mine: 'alice', theirs: 'bob' });
    expect(await admit('/api/v1/ws/theirs')).toBe(404);
    expect(await admit('/api/v1/ws/mine')).toBe('admitted');
    expect(await admit('/api/v1/ws/new-one')).toBe('admitted');
    expect(asked).toEqual(['theirs', 'mine', 'new-one']);
  });

  it('without authentication every session is visible: the upgrade asks nothing', async () => {
    const { admit, asked } = gate(ANONYMOUS, { theirs: 'bob' });
    expect(await admit('/api/v1/ws/theirs?protocol=2')).toBe('admitted');
    expect(await admit('/ws/missing')).toBe('admitted');
    expect(asked).toEqual([]);
  });
});
