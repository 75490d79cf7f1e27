import { createRequire } from 'node:module';
import path from 'node:path';
import type { Operation, Schema } from '@apollo/federation-internals';
import { Kind, type DefinitionNode, type DocumentNode, type OperationDefinitionNode } from 'graphql';

type OperationFromDocument = (schema: Schema, document: DocumentNode, options?: { operationName?: string; validate?: boolean }) => Operation;

interface Cached {
  definitions: readonly DefinitionNode[];
  operation: Operation;
}

/**
 * @apollo/gateway's executeQueryPlan rebuilds federation-internals'
 * Operation from the request's AST on every request (`operationFromDocument`
 * with `validate: false`, on a fresh document wrapping the operation and its
 * fragments): ~3.5% of the gateway's CPU on the deep list (issue 14). The AST
 * nodes are the same objects for every request of a cached document
 * (gateway/http/documentCache.ts), and an Operation is read only (result
 * shaping, @skip/@include conditions), so for that call the Operation is kept
 * per operation node and schema — the same definitions in the same order, or
 * it is built again. Every other call (the query planner's, with an
 * operation name or validation) goes to the original.
 */
export function cachingOperationFromDocument(original: OperationFromDocument): OperationFromDocument {
  const cache = new WeakMap<OperationDefinitionNode, WeakMap<Schema, Cached>>();
  return function operationFromDocument(schema, document, options) {
    const first = document.definitions[0];
    if (options?.validate !== false || options.operationName !== undefined || first?.kind !== Kind.OPERATION_DEFINITION) {
      return original(schema, document, options);
    }
    const bySchema = cache.get(first);
    const cached = bySchema?.get(schema);
    if (cached && sameDefinitions(cached.definitions, document.definitions)) return cached.operation;
    const operation = original(schema, document, options);
    (bySchema ?? cache.set(first, new WeakMap()).get(first)!).set(schema, { definitions: [...document.definitions], operation });
    return operation;
  };
}

function sameDefinitions(a: readonly DefinitionNode[], b: readonly DefinitionNode[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

let installed = false;

/** Put the caching function in place of federation-internals' export (read through its index's getters at every call). */
export function installOperationCache(): boolean {
  if (installed) return true;
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@apollo/federation-internals'));
  const operations = require(path.join(dir, 'operations.js')) as { operationFromDocument?: OperationFromDocument };
  if (typeof operations.operationFromDocument !== 'function') return false;
  operations.operationFromDocument = cachingOperationFromDocument(operations.operationFromDocument);
  installed = true;
  return true;
}
