import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SUBGRAPH_NODE_FLAGS } from './subgraphHeapSettings.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SUBGRAPH_SERVICES = ['erp-subgraph', 'crm-subgraph', 'mdm-subgraph', 'quality-subgraph'];

describe('the subgraph services are started with their heap settings', () => {
  it("docker-compose's subgraph services pass them to node", () => {
    const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { entrypoint?: string[]; command?: string[]; cpus?: number }> };
    for (const name of SUBGRAPH_SERVICES) {
      const service = compose.services[name];
      expect(service, name).toBeDefined();
      expect(service.entrypoint, name).toEqual(['node', ...SUBGRAPH_NODE_FLAGS, '--import', 'tsx']);
      // --single-threaded-gc is for a one-core service: the sizing it assumes is stated where it runs.
      expect(service.cpus, name).toBe(1);
      expect(service.command?.[0], name).toMatch(/^subgraphs\/[a-z]+\/main\.ts$/);
    }
  });

  it('are flags this node accepts', () => {
    expect(execFileSync(process.execPath, [...SUBGRAPH_NODE_FLAGS, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' })).toBe('ok');
  });
});
