import { resolve } from 'node:path';
import { parseArgs, ParseArgsConfig } from 'node:util';
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

const OPTIONS = {
  url: { type: 'string' },
  session: { type: 'string' },
  agent: { type: 'string' },
  protocol: { type: 'string' },
  workspace: { type: 'string' },
  token: { type: 'string' },
  'api-key': { type: 'string' },
  'auto-approve': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** Parses the command line (`--name value` or `--name=value`, node:util parseArgs). Throws OptionsError on bad input. */
export function parseOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  now: () => number = Date.now,
): ChatOptions {
  const values = parseCommandLine(argv);
  const urls = serviceUrls(values.url ?? DEFAULT_URL);
  const sessionId = values.session ?? `new_${now()}`;
  if (!isValidSessionId(sessionId)) {
    throw new OptionsError(`Invalid session id "${sessionId}" (letters, digits, . _ : -; at most 128 characters)`);
  }
  const agent = values.agent;
  if (agent !== undefined && !isAgentType(agent)) {
    throw new OptionsError(`Unknown agent "${agent}" (one of ${AGENT_TYPES.join(', ')})`);
  }
  const protocol = values.protocol ?? '2';
  if (protocol !== '1' && protocol !== '2') throw new OptionsError('--protocol must be 1 or 2');

  return {
    ...urls,
    sessionId,
    agent,
    protocol: protocol === '1' ? 1 : 2,
    autoApprove: values['auto-approve'] ?? false,
    workspace: resolve(values.workspace ?? env['INIT_CWD'] ?? process.cwd()),
    authHeaders: authHeaders(values.token ?? env['CODELAB_TOKEN'], values['api-key'] ?? env['CODELAB_API_KEY']),
    help: values.help ?? false,
  };
}

function parseCommandLine(argv: readonly string[]) {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new OptionsError(error instanceof Error ? error.message : String(error));
  }
  for (const [name, value] of Object.entries(values)) {
    if (value === '') throw new OptionsError(`Option --${name} needs a value`);
  }
  return values;
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
