import type { IncomingHttpHeaders } from 'node:http';
import { Kind, type DocumentNode, type GraphQLSchema } from 'graphql';
import { collectFieldUsage, hashOperation, type UsageRecord } from '../../schema/client/usage.js';
import type { GatewayPlugin } from '../plugins.js';

/** Where recorded usage goes: the registry's usage reporter (schema/client/usage.ts createUsageReporter), or a test's array. */
export interface OperationUsageSink {
  record(usage: UsageRecord): void;
}

export interface UsageReportingOptions {
  /** Header naming the calling client. @default 'apollographql-client-name' (what Apollo's clients and GraphOS use) */
  clientNameHeader?: string;
  /** @default 'apollographql-client-version' */
  clientVersionHeader?: string;
}

/** Client names and versions are labels in a report, not payloads: longer values are cut. */
const MAX_CLIENT_LABEL = 128;

/** What an operation uses, worked out once per document, schema and operation name. */
interface OperationSignature {
  hash: string;
  fields: string[];
}

/**
 * Records which schema coordinates each real operation uses, per client, for
 * the registry's operation checks (issue 5: a breaking change is breaking
 * only when an operation used the field within the usage window).
 *
 * Runs at `onOperation`, after validation and after the security plugins, so
 * only operations that were actually executed are counted; the fields are the
 * ones the client asked for (a field authorization removed still counts: the
 * client depends on it). The coordinates are computed once per parsed
 * document — the gateway's document cache hands back the same DocumentNode for
 * the same query text — and per schema, since a hot reload can change the
 * types a field resolves to; a repeated operation costs two map lookups, two
 * header reads and the sink's counter increment. Operations with no schema
 * field (pure introspection) are not recorded.
 */
export function usageReportingPlugin(sink: OperationUsageSink, options: UsageReportingOptions = {}): GatewayPlugin {
  const clientNameHeader = (options.clientNameHeader ?? 'apollographql-client-name').toLowerCase();
  const clientVersionHeader = (options.clientVersionHeader ?? 'apollographql-client-version').toLowerCase();
  const signatures = new WeakMap<DocumentNode, { schema: GraphQLSchema; byOperation: Map<string, OperationSignature> }>();

  function signatureOf(query: string, document: DocumentNode, schema: GraphQLSchema, operationName: string | null): OperationSignature {
    let entry = signatures.get(document);
    if (!entry || entry.schema !== schema) {
      entry = { schema, byOperation: new Map() };
      signatures.set(document, entry);
    }
    const key = operationName ?? '';
    let signature = entry.byOperation.get(key);
    if (!signature) {
      const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
      // The registry keys operations by hash: a document holding several
      // operations gives each of them its own id.
      const hash = operations > 1 ? hashOperation(`${query}\n# operation: ${key}`) : hashOperation(query);
      signature = { hash, fields: collectFieldUsage(schema, document, operationName ?? undefined) };
      entry.byOperation.set(key, signature);
    }
    return signature;
  }

  return {
    name: 'usage-reporting',
    onOperation(operation, context) {
      const signature = signatureOf(operation.query, operation.document, operation.schema, operation.operationName);
      if (!signature.fields.length) return;
      sink.record({
        hash: signature.hash,
        name: operation.operationName,
        clientName: headerValue(context.headers, clientNameHeader),
        clientVersion: headerValue(context.headers, clientVersionHeader),
        fields: signature.fields,
      });
    },
  };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | null {
  const raw = headers[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return null;
  const trimmed = value.trim();
  return trimmed ? trimmed.slice(0, MAX_CLIENT_LABEL) : null;
}
