import { composeServices, type CompositionResult } from '@apollo/composition';
import { GraphQLError, Source, parse, type ASTNode, type DocumentNode, type GraphQLSchema } from 'graphql';

/** One subgraph as composition sees it. */
export interface SubgraphInput {
  name: string;
  url: string;
  sdl: string;
}

/** An error or hint from composition, as plain data. */
export interface CompositionIssue {
  code: string;
  message: string;
  /** Where it comes from: each node's subgraph and 1-based line/column in that subgraph's SDL. */
  locations: { subgraph?: string; line?: number; column?: number }[];
}

export interface CompositionOutcome {
  ok: boolean;
  errors: CompositionIssue[];
  hints: CompositionIssue[];
  supergraphSdl?: string;
  /** The client-facing (API) schema of the composed supergraph: what diffs and usage checks compare. */
  apiSchema?: GraphQLSchema;
}

/**
 * Parses one subgraph's SDL, naming the source after the subgraph so that a
 * syntax error (and every later composition location) says which subgraph.
 */
export function parseSubgraphSdl(name: string, sdl: string): DocumentNode {
  return parse(new Source(sdl, name));
}

/**
 * Composes subgraphs into a supergraph with @apollo/composition, the same
 * composer the gateway's supergraph format comes from, and flattens its
 * errors and hints to serialisable issues.
 */
export function composeSupergraph(subgraphs: SubgraphInput[]): CompositionOutcome {
  const services = [];
  const parseErrors: CompositionIssue[] = [];
  for (const subgraph of subgraphs) {
    try {
      services.push({ name: subgraph.name, url: subgraph.url, typeDefs: parseSubgraphSdl(subgraph.name, subgraph.sdl) });
    } catch (error) {
      parseErrors.push(issueFromError(error as GraphQLError, 'INVALID_GRAPHQL', subgraph.name));
    }
  }
  if (parseErrors.length) return { ok: false, errors: parseErrors, hints: [] };
  if (!services.length) return { ok: false, errors: [{ code: 'NO_SUBGRAPHS', message: 'nothing to compose: no subgraphs', locations: [] }], hints: [] };
  let result: CompositionResult;
  try {
    result = composeServices(services);
  } catch (error) {
    return { ok: false, errors: [{ code: 'COMPOSITION_FAILED', message: (error as Error).message, locations: [] }], hints: [] };
  }
  if (result.errors) {
    return { ok: false, errors: result.errors.map((e) => issueFromError(e, 'COMPOSITION_ERROR')), hints: [] };
  }
  const hints = result.hints.map((hint) => ({
    code: hint.definition.code,
    message: hint.message,
    locations: locationsOf(hint.nodes as readonly ASTNode[] | undefined),
  }));
  return {
    ok: true,
    errors: [],
    hints,
    supergraphSdl: result.supergraphSdl,
    apiSchema: result.schema.toAPISchema().toGraphQLJSSchema(),
  };
}

function issueFromError(error: GraphQLError, fallbackCode: string, subgraph?: string): CompositionIssue {
  const code = typeof error.extensions?.code === 'string' ? error.extensions.code : fallbackCode;
  const locations = locationsOf(error.nodes);
  if (!locations.length && error.locations) {
    for (const l of error.locations) locations.push({ subgraph: subgraph ?? error.source?.name, line: l.line, column: l.column });
  }
  return { code, message: error.message, locations };
}

function locationsOf(nodes: readonly ASTNode[] | ASTNode | undefined): CompositionIssue['locations'] {
  if (!nodes) return [];
  const list = Array.isArray(nodes) ? nodes : [nodes as ASTNode];
  return list.map((node) => {
    // Federation attaches `subgraph` to nodes it knows; otherwise the parse
    // Source was named after the subgraph (parseSubgraphSdl).
    const subgraph = (node as { subgraph?: string }).subgraph ?? node.loc?.source.name;
    return { subgraph, line: node.loc?.startToken.line, column: node.loc?.startToken.column };
  });
}
