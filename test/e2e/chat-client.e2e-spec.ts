import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTools } from '../../scripts/chat/tools';
import type { ChatMessage } from '../../src/protocol/chat-message';
import { http } from '../utils/http';
import { RunningApp, startApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const ROOT = join(__dirname, '..', '..');
const WAIT_MS = 20_000;

/** The terminal client (`scripts/chat.ts`) as a child process with piped stdin/stdout. */
class ChatProcess {
  stdout = '';
  stderr = '';
  exitCode: number | null | undefined;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly listeners = new Set<() => void>();

  constructor(args: readonly string[], workspace: string) {
    const env: NodeJS.ProcessEnv = { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') };
    delete env['INIT_CWD']; // `npm test` sets it; the client would take it as the workspace
    this.child = spawn(
      process.execPath,
      ['-r', require.resolve('ts-node/register/transpile-only'), join(ROOT, 'scripts', 'chat.ts'), ...args],
      { cwd: workspace, env, stdio: 'pipe' },
    );
    this.child.stdout.on('data', (chunk: Buffer) => this.changed(() => (this.stdout += chunk.toString())));
    this.child.stderr.on('data', (chunk: Buffer) => this.changed(() => (this.stderr += chunk.toString())));
    this.child.on('exit', (code) => this.changed(() => (this.exitCode = code)));
  }

  write(text: string): void {
    this.child.stdin.write(text);
  }

  endInput(): void {
    this.child.stdin.end();
  }

  /** Resolves with the first match of `pattern` in stdout, waiting for more output as it comes. */
  waitFor(pattern: RegExp | string, timeoutMs = WAIT_MS): Promise<RegExpMatchArray> {
    const regex = typeof pattern === 'string' ? new RegExp(escapeRegExp(pattern)) : pattern;
    return this.until(() => this.stdout.match(regex) ?? undefined, `stdout to match ${regex}`, timeoutMs);
  }

  waitForExit(timeoutMs = WAIT_MS): Promise<number | null> {
    return this.until(
      () => (this.exitCode === undefined ? undefined : { code: this.exitCode }),
      'the client to exit',
      timeoutMs,
    ).then((r) => r.code);
  }

  kill(): void {
    if (this.exitCode === undefined) this.child.kill('SIGKILL');
  }

  private until<T>(probe: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const value = probe();
        if (value === undefined) return false;
        cleanup();
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}${this.transcript()}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      const listener = (): void => {
        if (!check() && this.exitCode !== undefined && probe() === undefined) {
          cleanup();
          reject(new Error(`the client exited (${this.exitCode}) before ${what}${this.transcript()}`));
        }
      };
      this.listeners.add(listener);
      check();
    });
  }

  private transcript(): string {
    return `\n--- stdout\n${this.stdout}\n--- stderr\n${this.stderr}`;
  }

  private changed(update: () => void): void {
    update();
    for (const listener of [...this.listeners]) listener();
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface HistoryBody {
  session_id: string;
  messages: ChatMessage[];
  message_count: number;
}

describe('terminal chat client (scripts/chat.ts) against the real service', () => {
  let db: TestDatabase;
  let running: RunningApp;
  let workspace: string;
  const clients: ChatProcess[] = [];

  const startClient = (protocol: '1' | '2', sessionId: string): ChatProcess => {
    const client = new ChatProcess(['--url', running.baseUrl, '--session', sessionId, '--protocol', protocol], workspace);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    running = await startApp(db.url);
    workspace = mkdtempSync(join(tmpdir(), 'codelab-chat-'));
    writeFileSync(join(workspace, 'notes.txt'), 'alpha line\nbeta line\n');
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.kill();
  });

  afterAll(async () => {
    await running.close();
    await db.drop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it.each(['1', '2'] as const)(
    'protocol %s: chats, asks before running a tool, runs it locally and sends the result',
    async (protocol) => {
      const client = startClient(protocol, `new_p${protocol}_${Date.now()}`);

      client.write('Hello from the terminal\n');
      const [, sessionId = ''] = await client.waitFor(/\[session\] ([0-9a-f-]{36})\n/);
      await client.waitFor('> You said: Hello from the terminal\n');

      client.write('/tool read_file {"path":"notes.txt","start_line":2}\n');
      await client.waitFor('[tool] coder calls read_file {"path":"notes.txt","start_line":2}\n');
      await client.waitFor('[a] run / [r]eject?');
      expect(client.stdout).not.toContain('[tool] result');
      client.write('a\n');
      await client.waitFor('> The tool returned: {"success":true,"content":"beta line","lines_read":1}\n');

      client.endInput();
      expect(await client.waitForExit()).toBe(0);

      const history = await http<HistoryBody>(running.baseUrl, 'GET', `/api/v1/sessions/${sessionId}/history`);
      expect(history.status).toBe(200);
      const [user, answer, toolUser, call, toolAnswer, final] = history.body.messages;
      expect(history.body.message_count).toBe(6);
      expect(user).toEqual({ role: 'user', content: 'Hello from the terminal' });
      expect(answer).toEqual({ role: 'assistant', content: 'You said: Hello from the terminal' });
      expect(toolUser).toEqual({ role: 'user', content: '/tool read_file {"path":"notes.txt","start_line":2}' });
      const callId = call?.tool_calls?.[0]?.id;
      expect(call).toEqual({
        role: 'assistant',
        content: '',
        tool_calls: [
          { id: callId, type: 'function', function: { name: 'read_file', arguments: '{"path":"notes.txt","start_line":2}' } },
        ],
      });
      expect(toolAnswer).toEqual({
        role: 'tool',
        tool_call_id: callId,
        content: '{"success":true,"content":"beta line","lines_read":1}',
      });
      expect(final).toEqual({
        role: 'assistant',
        content: 'The tool returned: {"success":true,"content":"beta line","lines_read":1}',
      });
    },
    60_000,
  );

  it('works from input piped all at once: edit an approval, reject a command, switch agent, show history', async () => {
    const client = startClient('2', `new_batch_${Date.now()}`);
    client.write(
      [
        '/tool write_file {"path":"out/result.txt","content":"first"}',
        'e {"path":"out/result.txt","content":"edited"}',
        '/tool execute_command {"command":"echo should-not-run > ran.txt"}',
        'r too risky',
        '/agent ask',
        '/history',
        '',
      ].join('\n'),
    );
    client.endInput();
    expect(await client.waitForExit()).toBe(0);

    const out = client.stdout;
    expect(out).toContain('[tool] coder calls write_file {"path":"out/result.txt","content":"first"} (needs approval)\n');
    expect(out).toContain('[a]pprove and run / [r]eject / [e]dit? e {"path":"out/result.txt","content":"edited"}\n');
    expect(out).toContain('[tool] result: {"success":true,"path":"out/result.txt","bytes_written":6}\n');
    expect(readFileSync(join(workspace, 'out', 'result.txt'), 'utf8')).toBe('edited');
    expect(out).toContain('[tool] rejected: too risky\n');
    expect(out).toContain('> The tool returned: Error: User rejected: too risky\n');
    expect(() => readFileSync(join(workspace, 'ran.txt'))).toThrow();
    expect(out).toContain('[agent] coder → ask (Requested in the terminal client)\n');
    expect(out).toMatch(/--- history of [0-9a-f-]{36}: 8 messages, current agent ask ---\n/);
    expect(out).toContain('  assistant → execute_command {"command":"echo should-not-run > ran.txt"} [call_');
    expect(out).toContain('  tool [call_');
    expect(out).toContain(': Error: User rejected: too risky\n');
  }, 60_000);

  it('searches every session, exports the transcript or the JSON, and forks into a new session', async () => {
    const client = startClient('2', `new_tools_${Date.now()}`);
    client.write('Remember the quokka migration\n');
    const [, sessionId = ''] = await client.waitFor(/\[session\] ([0-9a-f-]{36})\n/);
    await client.waitFor('> You said: Remember the quokka migration\n');

    client.write('/search QUOKKA\n');
    await client.waitFor('[search] 2 results for "QUOKKA", best first:\n');
    await client.waitFor(`  ${sessionId} #0 user (Remember the quokka migration): Remember the **quokka** migration\n`);
    client.write('/search "migration quokka"\n');
    await client.waitFor('[search] no results for "\\"migration quokka\\""\n');

    client.write('/export\n');
    await client.waitFor('### 0. User\n\nRemember the quokka migration\n');
    client.write('/export saved.json\n');
    await client.waitFor(`[export] wrote ${join(workspace, 'saved.json')} (JSON`);
    const saved = JSON.parse(readFileSync(join(workspace, 'saved.json'), 'utf8')) as { format: string; messages: ChatMessage[] };
    expect(saved.format).toBe('codelab-session');
    expect(saved.messages.map((m) => m.content)).toEqual(['Remember the quokka migration', 'You said: Remember the quokka migration']);

    client.write('/export notes/../transcript.md\n');
    await client.waitFor(`[export] wrote ${join(workspace, 'transcript.md')} (Markdown transcript)`);
    expect(readFileSync(join(workspace, 'transcript.md'), 'utf8')).toMatch(/^# Remember the quokka migration\n[\s\S]*### 1\. Assistant \(coder\)\n\nYou said: Remember the quokka migration\n$/);

    client.write('/fork 0\n');
    const [, forkId = ''] = await client.waitFor(/\[fork\] session ([0-9a-f-]{36}) with 1 messages of /);
    client.write('only in the fork\n');
    await client.waitFor('> You said: only in the fork\n');
    client.write('/fork 99\n');
    await client.waitFor('[fork] HTTP 400: up_to_seq 99 is past the last message');
    client.endInput();
    expect(await client.waitForExit()).toBe(0);

    const fork = await http<HistoryBody>(running.baseUrl, 'GET', `/api/v1/sessions/${forkId}/history`);
    expect(fork.body.messages.map((m) => m.content)).toEqual(['Remember the quokka migration', 'only in the fork', 'You said: only in the fork']);
    const source = await http<HistoryBody>(running.baseUrl, 'GET', `/api/v1/sessions/${sessionId}/history`);
    expect(source.body.message_count).toBe(2);
  }, 60_000);
});

/** A TCP proxy in front of the app that can cut its connections after some bytes from the service. */
class CuttingProxy {
  private readonly server: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  private cutAfter: number | undefined;
  cuts = 0;

  private constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((downstream) => {
      const upstream = connect(this.target.port, this.target.host);
      const pair: [Socket, Socket] = [downstream, upstream];
      this.pairs.add(pair);
      const drop = (): void => {
        this.pairs.delete(pair);
        downstream.destroy();
        upstream.destroy();
      };
      downstream.on('data', (chunk: Buffer) => upstream.write(chunk));
      upstream.on('data', (chunk: Buffer) => {
        if (this.cutAfter !== undefined) {
          this.cutAfter -= chunk.length;
          if (this.cutAfter <= 0) {
            this.cutAfter = undefined;
            this.cuts += 1;
            drop();
            return;
          }
        }
        downstream.write(chunk);
      });
      downstream.on('close', drop);
      upstream.on('close', drop);
      downstream.on('error', drop);
      upstream.on('error', drop);
    });
  }

  static async start(targetUrl: string): Promise<CuttingProxy> {
    const url = new URL(targetUrl);
    const proxy = new CuttingProxy({ host: url.hostname, port: Number(url.port) });
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Cuts every connection once `bytes` more bytes came from the service. */
  armCut(bytes: number): void {
    this.cutAfter = bytes;
  }

  async close(): Promise<void> {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('terminal chat client (protocol 2) when the connection drops mid-answer', () => {
  let db: TestDatabase;
  let running: RunningApp;
  let proxy: CuttingProxy;
  let workspace: string;
  let client: ChatProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    // Every echo answer is 2000 pieces: long enough to be cut in the middle.
    running = await startApp(db.url, { ECHO_TOKENS: '2000' });
    proxy = await CuttingProxy.start(running.baseUrl);
    workspace = mkdtempSync(join(tmpdir(), 'codelab-chat-resume-'));
  });

  afterAll(async () => {
    client?.kill();
    await proxy.close();
    await running.close();
    await db.drop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('reconnects with last_seq and shows the whole answer once, with no token lost or repeated', async () => {
    client = new ChatProcess(['--url', proxy.url, '--session', `new_resume_${Date.now()}`], workspace);
    client.write('warm up\n');
    const [, sessionId = ''] = await client.waitFor(/\[session\] ([0-9a-f-]{36})\n/);
    await client.waitFor(/t1999 \n/);

    proxy.armCut(20_000);
    client.write('resume me\n');
    client.endInput();
    expect(await client.waitForExit()).toBe(0);
    expect(proxy.cuts).toBe(1);
    expect(client.stderr).toContain('connection closed');
    expect(client.stderr).toContain(`reconnected to session ${sessionId} (protocol 2)`);

    const history = await http<HistoryBody>(running.baseUrl, 'GET', `/api/v1/sessions/${sessionId}/history`);
    const answer = history.body.messages.at(-1)?.content ?? '';
    expect(answer).toMatch(/^You said: resume me t1 t2 .* t1999 $/);
    // A notice interrupts the streamed line; the client goes on after "coder> …".
    const shown = client.stdout.replace(/\ncoder> …/g, '');
    expect(shown.split('You said: resume me').length - 1).toBe(1);
    expect(shown).toContain(`coder> ${answer}\n`);
  }, 60_000);
});

describe('terminal chat client against a service with authentication on', () => {
  const API_KEY = 'chat-client-test-key-0123456789';
  let db: TestDatabase;
  let running: RunningApp;
  let workspace: string;
  const clients: ChatProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    running = await startApp(db.url, { AUTH_API_KEYS: `${API_KEY}:alice` });
    workspace = mkdtempSync(join(tmpdir(), 'codelab-chat-auth-'));
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.kill();
  });

  afterAll(async () => {
    await running.close();
    await db.drop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('stops with the 401 reason without a key, and chats and reads history with --api-key', async () => {
    const refused = new ChatProcess(['--url', running.baseUrl, '--session', `new_noauth_${Date.now()}`], workspace);
    clients.push(refused);
    refused.write('hello\n');
    await refused.waitFor(/\[error\] the service refused session new_noauth_\d+: HTTP 401 Authentication required/);
    expect(await refused.waitForExit()).toBe(1);

    const client = new ChatProcess(
      ['--url', running.baseUrl, '--session', `new_auth_${Date.now()}`, '--api-key', API_KEY],
      workspace,
    );
    clients.push(client);
    client.write('hello with a key\n/history\n');
    client.endInput();
    expect(await client.waitForExit()).toBe(0);
    expect(client.stdout).toContain('> You said: hello with a key\n');
    expect(client.stdout).toMatch(/--- history of [0-9a-f-]{36}: 2 messages, current agent coder ---\n {2}user: hello with a key\n/);
  }, 60_000);
});

describe('the terminal client\'s local tools (scripts/chat/tools.ts)', () => {
  let root: string;
  let tools: LocalTools;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'codelab-tools-'));
    mkdirSync(join(root, 'src', 'deep'), { recursive: true });
    mkdirSync(join(root, '.git'));
    writeFileSync(join(root, 'src', 'a.ts'), 'const Foo = 1;\nexport { Foo };\n');
    writeFileSync(join(root, 'src', 'deep', 'b.md'), '# foo\n');
    writeFileSync(join(root, '.git', 'config'), 'foo');
    tools = new LocalTools(root);
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses paths outside the workspace', async () => {
    await expect(tools.run('read_file', { path: '../etc/passwd' })).rejects.toThrow('is outside the workspace');
    await expect(tools.run('write_file', { path: '/tmp/x', content: 'x' })).rejects.toThrow('is outside the workspace');
    await expect(tools.run('execute_command', { command: 'pwd', cwd: '..' })).rejects.toThrow('is outside the workspace');
  });

  it('reads line ranges and reports unsupported tools and bad arguments', async () => {
    expect(await tools.run('read_file', { path: 'src/a.ts' })).toEqual({
      success: true,
      content: 'const Foo = 1;\nexport { Foo };\n',
      lines_read: 2,
    });
    expect(await tools.run('read_file', { path: 'src/a.ts', start_line: 2, end_line: 2 })).toEqual({
      success: true,
      content: 'export { Foo };',
      lines_read: 1,
    });
    await expect(tools.run('delete_file', { path: 'x' })).rejects.toThrow('unsupported_tool: delete_file');
    await expect(tools.run('read_file', { path: 'src/a.ts', start_line: 0 })).rejects.toThrow('start_line');
  });

  it('lists (recursively, without hidden entries, filtered by a glob) and searches case-insensitively', async () => {
    const listed = await tools.run('list_files', { path: '.', recursive: true, pattern: '*.md' });
    expect(listed).toMatchObject({
      success: true,
      path: '.',
      total_count: 1,
      items: [{ name: 'b.md', path: 'src/deep/b.md', type: 'file', size: 6 }],
    });
    const found = await tools.run('search_in_code', { query: 'foo' });
    expect(found).toMatchObject({ query: 'foo', total_matches: 3, truncated: false });
    expect(found['matches']).toContainEqual({
      file: 'src/a.ts',
      line: 1,
      column: 7,
      matched_text: 'Foo',
      line_content: 'const Foo = 1;',
    });
    expect(JSON.stringify(found)).not.toContain('.git');
  });

  it('creates directories and runs commands with exit code, output and a timeout', async () => {
    expect(await tools.run('create_directory', { path: 'new/dir' })).toEqual({
      success: true,
      path: 'new/dir',
      created: true,
      already_exists: false,
    });
    expect(await tools.run('create_directory', { path: 'new/dir' })).toMatchObject({ created: false, already_exists: true });
    expect(await tools.run('execute_command', { command: 'echo out; echo err >&2; exit 3', cwd: 'src' })).toMatchObject({
      exit_code: 3,
      stdout: 'out\n',
      stderr: 'err\n',
      timed_out: false,
    });
    const slow = await tools.run('execute_command', { command: 'sleep 30', timeout: 1 });
    expect(slow).toMatchObject({ timed_out: true });
    expect(slow['duration_ms']).toBeLessThan(10_000);
  });
});
