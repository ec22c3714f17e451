import { DataSource } from 'typeorm';
import { ConversationStore } from '../../src/session/conversation-store.service';
import { AgentContextEntity } from '../../src/session/entities/agent-context.entity';
import { MessageEntity } from '../../src/session/entities/message.entity';
import { PendingApprovalEntity } from '../../src/session/entities/pending-approval.entity';
import { newApproval, userMessage } from '../factories/conversation.factory';
import { http } from '../utils/http';
import { RunningApp, startApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { TestSocket } from '../utils/ws-client';

/** Polls `check` until it returns true or the deadline passes; returns the last answer. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

describe('Session TTL cleanup (e2e)', () => {
  let db: TestDatabase;
  let running: RunningApp;
  const status = async (path: string): Promise<number> => (await http(running.baseUrl, 'GET', path)).status;
  const listedIds = async (): Promise<string[]> =>
    (await http<{ sessions: { id: string }[] }>(running.baseUrl, 'GET', '/api/v1/sessions')).body.sessions.map((s) => s.id);

  beforeAll(async () => {
    db = await createTestDatabase();
    // TTL 1.8 s, the job runs every 120 ms.
    running = await startApp(db.url, { SESSION_TTL_HOURS: '0.0005', SESSION_CLEANUP_INTERVAL_MINUTES: '0.002' });
  });

  afterAll(async () => {
    await running.close();
    await db.drop();
  });

  it('deletes a session once it has been idle longer than the TTL, and keeps an active one', async () => {
    for (const id of ['idle', 'active']) {
      expect((await http(running.baseUrl, 'POST', '/api/v1/sessions', { session_id: id })).status).toBe(201);
    }
    const store = running.app.get(ConversationStore);
    const idleSince = Date.now();
    await store.commit('idle', { messages: [userMessage('hello')], newApprovals: [newApproval()] });
    expect(await listedIds()).toEqual(expect.arrayContaining(['idle', 'active']));

    let turn = 0;
    const gone = await eventually(async () => {
      await store.commit('active', { messages: [userMessage(`still here ${turn++}`)] });
      return !(await listedIds()).includes('idle');
    }, 15_000);

    expect(gone).toBe(true);
    expect(Date.now() - idleSince).toBeGreaterThanOrEqual(1_800);
    expect(await listedIds()).toEqual(['active']);
    expect(await status('/api/v1/sessions/idle')).toBe(404);
    expect(await status('/api/v1/sessions/idle/history')).toBe(404);
    expect(await status('/api/v1/sessions/idle/pending-approvals')).toBe(404);
    expect(await status('/api/v1/agents/idle/current')).toBe(404);
    expect(await status('/api/v1/sessions/active')).toBe(200);

    const dataSource = running.app.get(DataSource);
    for (const entity of [MessageEntity, AgentContextEntity, PendingApprovalEntity]) {
      const left = await dataSource.getRepository<{ sessionId: string }>(entity).countBy({ sessionId: 'idle' });
      expect({ table: dataSource.getMetadata(entity).tableName, left }).toEqual({
        table: dataSource.getMetadata(entity).tableName,
        left: 0,
      });
    }
    expect(await dataSource.getRepository(MessageEntity).countBy({ sessionId: 'active' })).toBe(turn);
  });

  it('closes the sockets of an expired session with 4404; the id then starts from scratch', async () => {
    const socket = await TestSocket.open(`${running.wsUrl}/api/v1/ws/ttl-socket?protocol=2`);
    const compat = await TestSocket.open(`${running.wsUrl}/ws/ttl-socket`);
    try {
      await socket.next();
      const turn = await socket.request({ type: 'user_message', content: 'soon gone', agent_type: 'ask' });
      expect(turn.at(-1)).toMatchObject({ is_final: true });
      expect(await socket.waitClosed(15_000)).toBe(4404);
      expect(await compat.waitClosed(1_000)).toBe(4404);
      const again = await TestSocket.open(`${running.wsUrl}/api/v1/ws/ttl-socket?protocol=2&last_seq=0`);
      try {
        expect(await again.next()).toMatchObject({ type: 'status', last_seq: 0 });
        const fresh = await again.request({ type: 'user_message', content: 'new owner' });
        expect(fresh.map((f) => f['seq'])).toEqual(fresh.map((_, i) => i + 1));
        expect(JSON.stringify(fresh)).not.toContain('soon gone');
      } finally {
        await again.close();
      }
    } finally {
      await socket.close();
      await compat.close();
    }
  });
});
