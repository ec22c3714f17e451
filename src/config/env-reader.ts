type Env = Readonly<Record<string, string | undefined>>;

/** Reads typed environment variables, collecting every problem instead of failing at the first. */
export class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  optionalUrl(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    try {
      const url = new URL(value);
      if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '');
    } catch {
      // reported below
    }
    this.problems.push(`${name} must be an http(s) URL (got "${value}")`);
    return undefined;
  }

  number(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
      this.problems.push(`${name} must be a number ${range} (got "${value}")`);
      return fallback;
    }
    return parsed;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max} (got "${value}")`);
      return fallback;
    }
    return Number(value);
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (/^(true|1|yes)$/i.test(value)) return true;
    if (/^(false|0|no)$/i.test(value)) return false;
    this.problems.push(`${name} must be true or false (got "${value}")`);
    return fallback;
  }

  /** `key:user,key2:user2` → key → user. */
  keyMap(name: string): Map<string, string> {
    const map = new Map<string, string>();
    const value = this.raw(name);
    if (value === undefined) return map;
    for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
      const at = entry.lastIndexOf(':');
      const key = at > 0 ? entry.slice(0, at).trim() : '';
      const user = at > 0 ? entry.slice(at + 1).trim() : '';
      if (key.length < 16 || user.length === 0) {
        this.problems.push(`${name} entries must be <key>:<user> with keys of at least 16 characters`);
        return new Map();
      }
      map.set(key, user);
    }
    return map;
  }

  /** A comma-separated list whose every entry matches `pattern`. */
  list(name: string, fallback: readonly string[], pattern: RegExp): readonly string[] {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
    const bad = entries.filter((e) => !pattern.test(e));
    if (entries.length === 0 || bad.length > 0) {
      this.problems.push(`${name} must be a comma-separated list of values matching ${pattern.source} (got "${value}")`);
      return fallback;
    }
    return entries;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  }
}
