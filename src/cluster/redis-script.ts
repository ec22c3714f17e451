import { createHash } from 'node:crypto';
import type { RedisClientType } from 'redis';

/**
 * A Lua script run with EVALSHA (the body is sent once per connection lifetime); when the server does
 * not know it (first use, or Redis restarted and lost its script cache), it is sent again with EVAL.
 */
export class RedisScript {
  private readonly sha: string;

  constructor(private readonly body: string) {
    this.sha = createHash('sha1').update(body).digest('hex');
  }

  async run(client: RedisClientType, keys: string[], args: (string | number)[]): Promise<unknown> {
    const options = { keys, arguments: args.map(String) };
    try {
      return await client.evalSha(this.sha, options);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.body, options);
    }
  }
}
