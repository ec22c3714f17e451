import { resolve } from 'node:path';
import { AGENT_TYPES, AgentType, isAgentType } from '../../src/protocol/agent-type';
import { isValidSessionId } from '../../src/protocol/session-id';

export type ProtocolVersion = 1 | 2;

export interface ChatOptions {
  /** REST base, e.g. `http://127.0.0.1:8000` (no trailing slash). */
  readonly httpUrl: string;
  /** WebSocket base, e.g. `ws://127.0.0.1:8000`. */
  readonly wsUrl: string;
  readonly sessionId: string;
  readonly agent: AgentType | undefined;
  readonly protocol: ProtocolVersion;
  readonly autoApprove: boolean;
  /** The folder the tools work in. */
  readonly workspace: string;
  /** Credentials for a service with authentication on: sent on the WebSocket upgrade and on REST calls. */
  readonly authHeaders: Readonly<Record<string, string>>;
  readonly help: boolean;
}

export const USAGE = `Terminal chat client for the CodeLab Agent Service.

Usage: npm run chat -- [options]

Options:
  --url <url>          service address (default http://127.0.0.1:8000; http→ws, https→wss)
  --session <id>       session to open (default: a new temporary id new_<ms>; the real id is
                       printed when the service sends session_info)
  --agent <type>       send every message with this agent_type (${AGENT_TYPES.join(', ')})
  --protocol <1|2>     wire protocol (default 2: live tokens, resume after a dropped connection,
                       Ctrl-C cancels the running turn)
  --workspace <dir>    folder the tools read, write and run commands in (default: the folder
                       you started from; \`npm run\` reports it in INIT_CWD)
  --token <jwt>        send Authorization: Bearer <jwt> (default: $CODELAB_TOKEN)
  --api-key <key>      send X-API-Key: <key> (default: $CODELAB_API_KEY)
  --auto-approve       answer every tool call without asking and WITHOUT running anything
                       locally (the tool result says it was simulated)
  -h, --help           show this help

Type a message and press Enter. Commands:
  /agent <type>        switch the session's agent (switch_agent)
  /history             print the session's stored history
  /help                show the commands
  /quit                leave (also Ctrl-D)

Ctrl-C: during a turn (protocol 2) cancels it; at a tool question rejects the call; at the
prompt, or a second time, quits.

When an agent asks for a tool, the client shows the call and asks:
  a = approve and run it here (in the workspace folder), r [reason] = reject,
  e [json] = edit the arguments (only for calls that need approval).
Other lines starting with "/" (e.g. "/tool read_file {\\"path\\":\\"README.md\\"}") are sent as messages.`;

export class OptionsError extends Error {}

const DEFAULT_URL = 'http://127.0.0.1:8000';

/** Parses the command line (`--name value` or `--name=value`). Throws OptionsError on bad input. */
export function parseOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  now: () => number = Date.now,
): ChatOptions {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') {
      flags.add('help');
      continue;
    }
    if (arg === '--auto-approve') {
      flags.add('auto-approve');
      continue;
    }
    const match = /^--(url|session|agent|protocol|workspace|token|api-key)(?:=(.*))?$/.exec(arg);
    if (!match) throw new OptionsError(`Unknown option: ${arg}`);
    const name = match[1] ?? '';
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '') throw new OptionsError(`Option --${name} needs a value`);
    values.set(name, value);
  }

  const urls = serviceUrls(values.get('url') ?? DEFAULT_URL);
  const sessionId = values.get('session') ?? `new_${now()}`;
  if (!isValidSessionId(sessionId)) {
    throw new OptionsError(`Invalid session id "${sessionId}" (letters, digits, . _ : -; at most 128 characters)`);
  }
  const agent = values.get('agent');
  if (agent !== undefined && !isAgentType(agent)) {
    throw new OptionsError(`Unknown agent "${agent}" (one of ${AGENT_TYPES.join(', ')})`);
  }
  const protocol = values.get('protocol') ?? '2';
  if (protocol !== '1' && protocol !== '2') throw new OptionsError('--protocol must be 1 or 2');

  return {
    ...urls,
    sessionId,
    agent,
    protocol: protocol === '1' ? 1 : 2,
    autoApprove: flags.has('auto-approve'),
    workspace: resolve(values.get('workspace') ?? env['INIT_CWD'] ?? process.cwd()),
    authHeaders: authHeaders(values.get('token') ?? env['CODELAB_TOKEN'], values.get('api-key') ?? env['CODELAB_API_KEY']),
    help: flags.has('help'),
  };
}

/** `http://h:p[/]` → REST base and WebSocket base. `ws://` and `wss://` are accepted as well. */
function serviceUrls(raw: string): { httpUrl: string; wsUrl: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OptionsError(`Invalid --url "${raw}"`);
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
    throw new OptionsError(`--url must start with http://, https://, ws:// or wss:// (got "${raw}")`);
  }
  const rest = `${url.host}${url.pathname.replace(/\/+$/, '')}`;
  return { httpUrl: `${secure ? 'https' : 'http'}://${rest}`, wsUrl: `${secure ? 'wss' : 'ws'}://${rest}` };
}

function authHeaders(token: string | undefined, apiKey: string | undefined): Record<string, string> {
  return {
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(apiKey ? { 'x-api-key': apiKey } : {}),
  };
}
