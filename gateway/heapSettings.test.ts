import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { GATEWAY_NODE_FLAGS, STACK_NODE_FLAGS } from './heapSettings.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('the gateway is started with its heap settings wherever it is launched', () => {
  it('npm start and npm run gateway pass them to node', () => {
    const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.start).toBe(`node ${STACK_NODE_FLAGS.join(' ')} --import tsx bin/concord.ts start`);
    expect(scripts.gateway).toBe(`node ${GATEWAY_NODE_FLAGS.join(' ')} --import tsx gateway/main.ts`);
  });

  it("docker-compose's gateway service passes them to node", () => {
    const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { entrypoint?: string[]; command?: string[]; cpus?: number }> };
    const gateway = compose.services.gateway;
    expect(gateway.entrypoint).toEqual(['node', ...GATEWAY_NODE_FLAGS, '--import', 'tsx']);
    // --single-threaded-gc is for a one-core replica: the sizing it assumes is stated where it runs.
    expect(gateway.cpus).toBe(1);
    expect(gateway.command).toEqual(['gateway/main.ts']);
  });

  it('are flags this node accepts', async () => {
    const { execFileSync } = await import('node:child_process');
    for (const flags of [GATEWAY_NODE_FLAGS, STACK_NODE_FLAGS]) {
      expect(execFileSync(process.execPath, [...flags, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' })).toBe('ok');
    }
  });
});
