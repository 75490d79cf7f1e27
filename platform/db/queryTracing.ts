import { context, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import {
  ATTR_DB_NAMESPACE, ATTR_DB_OPERATION_NAME, ATTR_DB_QUERY_TEXT, ATTR_DB_RESPONSE_STATUS_CODE, ATTR_DB_SYSTEM_NAME, ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT, DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import type pg from 'pg';

/** `db.system`, the pre-1.26 key many trace backends still group database spans by. */
const ATTR_DB_SYSTEM_LEGACY = 'db.system';

type QueryArgs = unknown[];
type QueryCallback = (error: Error | null, result: unknown) => void;

/**
 * Gives every statement sent through `pool.query` a client span: the
 * statement text as written — with its `$1` placeholders, never the bound
 * values — the database, the server and, on failure, the SQLSTATE.
 *
 * A wrapper rather than @opentelemetry/instrumentation-pg: that patches `pg`
 * when it is loaded through a require hook, which ESM under tsx never goes
 * through without an `--import` loader (ADR 0006). Wrapping the pool's own
 * `query` starts the span in the caller's async context, so it is a child of
 * the request that asked, even when the statement waits for a free client.
 * Statements issued outside any span make none.
 */
export function traceQueries(pool: pg.Pool, tracer: Tracer, connectionString: string): void {
  const target = serverAttributes(connectionString);
  const query = pool.query.bind(pool) as (...args: QueryArgs) => unknown;
  const traced = (...args: QueryArgs): unknown => {
    // Outside a traced request (health checks, background work) a lone statement would be a root span of its own: noise.
    if (!trace.getSpan(context.active())) return query(...args);
    const text = statementText(args[0]);
    const operation = text.trimStart().split(/\s/, 1)[0]?.toUpperCase() || 'QUERY';
    const span = tracer.startSpan(target.namespace ? `${operation} ${target.namespace}` : operation, {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_DB_SYSTEM_LEGACY]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
        [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
        [ATTR_DB_OPERATION_NAME]: operation,
        [ATTR_DB_QUERY_TEXT]: text,
        ...(target.namespace ? { [ATTR_DB_NAMESPACE]: target.namespace } : {}),
        [ATTR_SERVER_ADDRESS]: target.address,
        [ATTR_SERVER_PORT]: target.port,
      },
    });
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (error: Error | null, result: unknown) => {
        endQuerySpan(span, error);
        (last as QueryCallback)(error, result);
      };
      return query(...args);
    }
    let pending: Promise<unknown>;
    try {
      pending = query(...args) as Promise<unknown>;
    } catch (error) {
      endQuerySpan(span, error);
      throw error;
    }
    return pending.then(
      (result) => {
        endQuerySpan(span, null);
        return result;
      },
      (error: unknown) => {
        endQuerySpan(span, error);
        throw error;
      },
    );
  };
  pool.query = traced as typeof pool.query;
}

function statementText(first: unknown): string {
  if (typeof first === 'string') return first;
  const text = (first as { text?: unknown } | null)?.text;
  return typeof text === 'string' ? text : '';
}

function endQuerySpan(span: Span, error: unknown): void {
  if (error) {
    // The SQLSTATE is a stable code; the message may quote the row that failed.
    const code = (error as { code?: unknown }).code;
    const sqlState = typeof code === 'string' ? code : undefined;
    if (sqlState) span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, sqlState);
    span.setAttribute(ATTR_ERROR_TYPE, sqlState ?? (error as Error).name ?? 'Error');
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** Database, host and port from the connection string — never the user or password in it. */
function serverAttributes(connectionString: string): { namespace?: string; address: string; port: number } {
  try {
    const url = new URL(connectionString);
    return { namespace: decodeURIComponent(url.pathname.slice(1)) || undefined, address: url.hostname || 'localhost', port: Number(url.port || 5432) };
  } catch {
    return { address: 'localhost', port: 5432 };
  }
}
