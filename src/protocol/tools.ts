/** The IDE tools the models may call, as OpenAI function specs (PROTOCOL §4). */
export const IDE_TOOL_NAMES = [
  'read_file',
  'write_file',
  'list_files',
  'create_directory',
  'execute_command',
  'search_in_code',
] as const;
export type IdeToolName = (typeof IDE_TOOL_NAMES)[number];

/** Tools that change things: sent with `requires_approval:true` and recorded as pending approvals. */
export const TOOLS_REQUIRING_APPROVAL: ReadonlySet<string> = new Set([
  'write_file',
  'create_directory',
  'execute_command',
  'delete_file',
  'move_file',
]);

export interface ToolSpec {
  readonly type: 'function';
  readonly function: {
    readonly name: IdeToolName;
    readonly description: string;
    readonly parameters: {
      readonly type: 'object';
      readonly properties: Record<string, { readonly type: string; readonly description: string }>;
      readonly required: readonly string[];
    };
  };
}

const spec = (
  name: IdeToolName,
  description: string,
  properties: ToolSpec['function']['parameters']['properties'],
  required: string[],
): ToolSpec => ({ type: 'function', function: { name, description, parameters: { type: 'object', properties, required } } });

export const TOOL_SPECS: Readonly<Record<IdeToolName, ToolSpec>> = {
  read_file: spec(
    'read_file',
    'Read a text file of the workspace, optionally a range of lines (1-based, inclusive).',
    {
      path: { type: 'string', description: 'Path relative to the workspace root' },
      start_line: { type: 'integer', description: 'First line to read' },
      end_line: { type: 'integer', description: 'Last line to read' },
    },
    ['path'],
  ),
  write_file: spec(
    'write_file',
    'Create or overwrite a file with the given content.',
    {
      path: { type: 'string', description: 'Path relative to the workspace root' },
      content: { type: 'string', description: 'The complete new content' },
    },
    ['path', 'content'],
  ),
  list_files: spec(
    'list_files',
    'List files and folders under a path.',
    {
      path: { type: 'string', description: 'Folder, "." for the workspace root' },
      recursive: { type: 'boolean', description: 'Descend into sub-folders' },
      pattern: { type: 'string', description: 'Glob to filter names' },
    },
    ['path'],
  ),
  create_directory: spec(
    'create_directory',
    'Create a folder (and its parents).',
    { path: { type: 'string', description: 'Path relative to the workspace root' } },
    ['path'],
  ),
  execute_command: spec(
    'execute_command',
    'Run a shell command in the workspace and return its exit code and output.',
    {
      command: { type: 'string', description: 'The command line' },
      cwd: { type: 'string', description: 'Working directory relative to the workspace root' },
      timeout: { type: 'integer', description: 'Seconds before the command is stopped (max 300)' },
    },
    ['command'],
  ),
  search_in_code: spec(
    'search_in_code',
    'Search the workspace for text.',
    {
      query: { type: 'string', description: 'Text to find' },
      path: { type: 'string', description: 'Folder to search in' },
      file_pattern: { type: 'string', description: 'Glob of files to search' },
    },
    ['query'],
  ),
};

export function isIdeToolName(value: string): value is IdeToolName {
  return (IDE_TOOL_NAMES as readonly string[]).includes(value);
}
