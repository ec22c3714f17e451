import { expect } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ConversationStore } from '../../src/session/conversation-store.service';
import {
  agentSwitch,
  assistantMessage,
  assistantToolCalls,
  awaitingCall,
  newApproval,
  toolAnswer,
  toolCallSpec,
  userMessage,
} from '../factories/conversation.factory';
import { http } from '../utils/http';
import { RunningApp, startApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

/** Everything a client can read about a set of sessions through REST. */
async function snapshot(baseUrl: string, ids: readonly string[]): Promise<Record<string, unknown>> {
  const get = async (path: string): Promise<unknown> => {
    const res = await http(baseUrl, 'GET', path);
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return res.body;
  };
  const result: Record<string, unknown> = { list: await get('/api/v1/sessions') };
  for (const id of ids) {
    result[id] = {
      session: await get(`/api/v1/sessions/${id}`),
      history: await get(`/api/v1/sessions/${id}/history`),
      approvals: await get(`/api/v1/sessions/${id}/pending-approvals`),
      agent: await get(`/api/v1/agents/${id}/current`),
    };
  }
  return result;
}

describe('Restart (e2e)', () => {
  let db: TestDatabase;
  let running: RunningApp | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await running?.close();
    await db.drop();
  });

  it('keeps sessions, history, pending approvals and agent state across a restart', async () => {
    running = await startApp(db.url);
    const first = running;
    const created = await http<{ id: string }>(first.baseUrl, 'POST', '/api/v1/sessions');
    expect(created.status).toBe(201);
    const generatedId = created.body.id;
    expect((await http(first.baseUrl, 'POST', '/api/v1/sessions', { session_id: 'named', title: 'Kept title' })).status).toBe(201);
    expect((await http(first.baseUrl, 'POST', '/api/v1/sessions', { session_id: 'empty' })).status).toBe(201);

    const readCall = toolCallSpec('call_read', 'read_file', { path: 'hello.py' });
    const writeCall = toolCallSpec('call_write', 'write_file', { path: 'hello.py', content: 'print("hi")\n' });
    const store = first.app.get(ConversationStore);
    await store.commit(generatedId, {
      messages: [userMessage('Create   hello.py\nthat prints hi')],
      agentSwitch: agentSwitch('coder', { reason: 'Keyword match: create', timestamp: '2026-01-05T10:00:01.000Z' }),
    });
    await store.commit(generatedId, { messages: [assistantToolCalls(readCall)] });
    await store.commit(generatedId, { messages: [toolAnswer('call_read', 'Error: file not found')] });
    await store.commit(generatedId, {
      messages: [assistantToolCalls(writeCall)],
      awaitingToolCalls: [awaitingCall({ callId: 'call_write', arguments: { path: 'hello.py', content: 'print("hi")\n' } })],
      newApprovals: [
        newApproval({ callId: 'call_write', arguments: { path: 'hello.py', content: 'print("hi")\n' }, reason: 'writes hello.py' }),
      ],
    });
    await store.commit('named', {
      messages: [userMessage('Design the API'), assistantMessage('Here is a plan.', { agent: 'architect' })],
      agentSwitch: agentSwitch('architect', { timestamp: '2026-01-05T11:00:00.000Z' }),
      newApprovals: [newApproval({ callId: 'call_done', toolName: 'execute_command', arguments: { command: 'ls' } })],
    });
    await store.commit('named', { approvalDecisions: [{ callId: 'call_done', status: 'rejected', reason: 'user said no' }] });

    const before = await snapshot(first.baseUrl, [generatedId, 'named', 'empty']);
    await first.close();
    running = undefined;
    // The connection was closed cleanly: no prepared statement was left open (SQLite refuses to close then).
    expect(first.app.get(DataSource).isInitialized).toBe(false);

    running = await startApp(db.url);
    const after = await snapshot(running.baseUrl, [generatedId, 'named', 'empty']);
    expect(after).toEqual(before);

    // And the content is what was stored, in the documented shapes.
    expect(after[generatedId]).toEqual({
      session: expect.objectContaining({ id: generatedId, title: 'Create hello.py that prints hi', message_count: 4, current_agent: 'coder' }),
      history: {
        session_id: generatedId,
        messages: [
          { role: 'user', content: 'Create   hello.py\nthat prints hi' },
          {
            role: 'assistant',
            content: '',
            tool_calls: [{ id: 'call_read', type: 'function', function: { name: 'read_file', arguments: '{"path":"hello.py"}' } }],
          },
          { role: 'tool', tool_call_id: 'call_read', content: 'Error: file not found' },
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              {
                id: 'call_write',
                type: 'function',
                function: { name: 'write_file', arguments: JSON.stringify({ path: 'hello.py', content: 'print("hi")\n' }) },
              },
            ],
          },
        ],
        message_count: 4,
        last_activity: expect.any(String),
        current_agent: 'coder',
        agent_history: [{ from: 'orchestrator', to: 'coder', reason: 'Keyword match: create', timestamp: '2026-01-05T10:00:01.000Z' }],
      },
      approvals: {
        session_id: generatedId,
        pending_approvals: [
          {
            call_id: 'call_write',
            tool_name: 'write_file',
            arguments: { path: 'hello.py', content: 'print("hi")\n' },
            reason: 'writes hello.py',
            created_at: expect.any(String),
          },
        ],
        count: 1,
      },
      agent: {
        session_id: generatedId,
        current_agent: 'coder',
        agent_history: [{ from: 'orchestrator', to: 'coder', reason: 'Keyword match: create', timestamp: '2026-01-05T10:00:01.000Z' }],
        switch_count: 1,
      },
    });
    expect(after['named']).toMatchObject({
      session: { title: 'Kept title', message_count: 2, current_agent: 'architect' },
      approvals: { pending_approvals: [], count: 0 },
      agent: { current_agent: 'architect', switch_count: 1 },
    });
    expect(after['list']).toMatchObject({ total: 3 });

    // The paused turn survives too: the runtime would resume it from here.
    expect(await running.app.get(ConversationStore).load(generatedId)).toEqual({
      sessionId: generatedId,
      currentAgent: 'coder',
      awaitingToolCalls: [awaitingCall({ callId: 'call_write', arguments: { path: 'hello.py', content: 'print("hi")\n' } })],
    });

    // The restarted app keeps appending where the first one stopped.
    await running.app.get(ConversationStore).commit(generatedId, { messages: [toolAnswer('call_write', 'ok')] });
    const history = await http<{ messages: { role: string }[]; message_count: number }>(
      running.baseUrl,
      'GET',
      `/api/v1/sessions/${generatedId}/history`,
    );
    expect(history.body.message_count).toBe(5);
    expect(history.body.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_write', content: 'ok' });
  });
});
