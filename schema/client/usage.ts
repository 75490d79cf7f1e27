import { createHash } from 'node:crypto';
import {
  Kind, TypeInfo, visit, visitWithTypeInfo, getNamedType,
  type DefinitionNode, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode,
} from 'graphql';
import { RegistryClient } from './registryClient.js';

/**
 * Collects the schema coordinates an operation uses: `Type.field` for every
 * field selected (including through fragments), and `Type.field.arg` for
 * every argument passed — the units the registry's operation checks compare
 * against a schema diff. Introspection fields (`__typename`, `__schema`) are
 * skipped: no schema change can remove them. With several operations in the
 * document and no name, all of them are counted.
 */
export function collectFieldUsage(schema: GraphQLSchema, document: DocumentNode, operationName?: string): string[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    if (definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName)) operations.push(definition);
  }
  // Only the fragments reachable from the chosen operation(s) count.
  const reachable = new Map<string, FragmentDefinitionNode>();
  const pending: DefinitionNode[] = [...operations];
  while (pending.length) {
    visit(pending.pop()!, {
      FragmentSpread(node) {
        const fragment = fragments.get(node.name.value);
        if (fragment && !reachable.has(node.name.value)) {
          reachable.set(node.name.value, fragment);
          pending.push(fragment);
        }
      },
    });
  }
  const used = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  const subset: DocumentNode = { kind: Kind.DOCUMENT, definitions: [...operations, ...reachable.values()] };
  visit(subset, visitWithTypeInfo(typeInfo, {
    Field(node) {
      const parent = typeInfo.getParentType();
      if (!parent || node.name.value.startsWith('__') || !typeInfo.getFieldDef()) return;
      used.add(`${getNamedType(parent).name}.${node.name.value}`);
    },
    Argument(node) {
      const parent = typeInfo.getParentType();
      const field = typeInfo.getFieldDef();
      if (!parent || !field || !typeInfo.getArgument() || field.name.startsWith('__')) return;
      used.add(`${parent.name}.${field.name}.${node.name.value}`);
    },
  }));
  return [...used].sort();
}

/** A stable operation id: SHA-256 of the operation text as the client sent it. */
export function hashOperation(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

export interface UsageRecord {
  hash: string;
  name?: string | null;
  clientName?: string | null;
  clientVersion?: string | null;
  fields: string[];
  /** @default 1 */
  count?: number;
}

export interface UsageReporterOptions {
  registryUrl: string;
  /** A gateway (or admin) token. */
  token: string;
  /** How often buffered usage is sent. @default 5000 */
  flushIntervalMs?: number;
  /**
   * Distinct (operation, client, version) entries kept between flushes;
   * beyond it new entries are dropped (counted in onError) so a registry
   * outage cannot grow the gateway's memory without bound. @default 10000
   */
  maxPending?: number;
  /** @default console.warn */
  onError?: (error: Error) => void;
}

export interface UsageReporter {
  /** Counts one (or `count`) execution of an operation; never blocks the request. */
  record(usage: UsageRecord): void;
  /** Sends what is buffered now; a failed send keeps the counts for the next flush. */
  flush(): Promise<void>;
  /** Stops the timer and sends what is left. */
  stop(): Promise<void>;
}

/**
 * Batches operation usage in memory (one entry per operation, client and
 * client version, counts summed) and sends it to the registry's
 * `POST /v1/usage` every flushIntervalMs.
 */
export function createUsageReporter(options: UsageReporterOptions): UsageReporter {
  const client = new RegistryClient({ registryUrl: options.registryUrl, token: options.token, timeoutMs: 10_000 });
  const maxPending = options.maxPending ?? 10_000;
  const onError = options.onError ?? ((error: Error) => console.warn(`[usage reporter] ${error.message}`));
  let pending = new Map<string, Required<UsageRecord>>();
  let dropped = 0;
  let flushing: Promise<void> | undefined;

  const add = (usage: UsageRecord) => {
    const key = JSON.stringify([usage.hash, usage.clientName ?? '', usage.clientVersion ?? '']);
    const entry = pending.get(key);
    if (entry) {
      entry.count += usage.count ?? 1;
      return;
    }
    if (pending.size >= maxPending) {
      dropped++;
      return;
    }
    pending.set(key, {
      hash: usage.hash, name: usage.name ?? null, clientName: usage.clientName ?? null,
      clientVersion: usage.clientVersion ?? null, fields: usage.fields, count: usage.count ?? 1,
    });
  };

  const send = async () => {
    if (!pending.size) return;
    const batch = pending;
    pending = new Map();
    try {
      await client.reportUsage([...batch.values()]);
    } catch (error) {
      for (const usage of batch.values()) add(usage);
      onError(error as Error);
    }
    if (dropped) {
      onError(new Error(`usage buffer full (${maxPending} entries): ${dropped} operation record(s) dropped`));
      dropped = 0;
    }
  };

  const flush = async () => {
    // One send at a time; a flush during a flush waits and then sends the rest.
    while (flushing) await flushing;
    flushing = send().finally(() => (flushing = undefined));
    await flushing;
  };

  const timer = setInterval(() => void flush(), options.flushIntervalMs ?? 5_000).unref();
  return {
    record: add,
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
