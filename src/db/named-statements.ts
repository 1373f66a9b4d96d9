const SKIP_LOCKED = /\bskip\s+locked\b/i;

/** A node-postgres Pool or PoolClient: anything with pg's `query(config, values)`. */
export interface PgQueryable {
  // biome-ignore lint/suspicious/noExplicitAny: pg's overloads, passed through untouched
  query(...args: any[]): Promise<any>;
}

interface QueryConfig {
  text: string;
  name?: string;
  values?: unknown[];
  [key: string]: unknown;
}

/**
 * Names every parameterised statement after its SQL text, so node-postgres prepares it once per
 * connection and then sends only Bind/Execute: the server skips parsing and analysis, which were
 * most of its CPU per ingest. Texts are few (the app's, Drizzle's and pg-boss's); past
 * {@link MAX_NAMED} distinct texts new ones run unnamed, so the server's memory stays bounded.
 * Statements without parameters run unnamed: they may hold several commands (pg-boss's schema).
 * So do queue fetches (`FOR UPDATE SKIP LOCKED`): a kept generic plan is blind to their LIMIT and
 * to how many jobs are finished, so they are planned for their values each time.
 */
export class StatementNames {
  static readonly MAX_NAMED = 2000;
  private readonly names = new Map<string, string>();

  nameFor(text: string): string | undefined {
    let name = this.names.get(text);
    if (!name && this.names.size < StatementNames.MAX_NAMED) {
      name = `hd_${this.names.size + 1}`;
      this.names.set(text, name);
    }
    return name;
  }

  /** `target` whose `query` names statements; everything else passes through. */
  wrap<T extends PgQueryable>(target: T): T {
    // biome-ignore lint/suspicious/noExplicitAny: see PgQueryable
    const query = (first: string | QueryConfig, values?: unknown[], ...rest: any[]) => {
      const config: QueryConfig = typeof first === 'string' ? { text: first } : { ...first };
      const params = Array.isArray(values) ? values : config.values;
      if (!config.name && params && params.length > 0 && !SKIP_LOCKED.test(config.text)) {
        config.name = this.nameFor(config.text);
      }
      return target.query(config, values, ...rest);
    };
    return new Proxy(target, {
      get(object, property, receiver) {
        if (property === 'query') return query;
        const value = Reflect.get(object, property, receiver);
        return typeof value === 'function' ? value.bind(object) : value;
      },
    });
  }
}
