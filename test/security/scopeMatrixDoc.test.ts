import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderScopeMatrixMarkdown } from '../../gateway/authorization/scopeMatrix.js';

/**
 * docs/scope-matrix.md (which the README includes) is the generated matrix,
 * byte for byte: the table readers see and the one the matrix tests check
 * cannot drift apart. Regenerate with
 * `npx tsx -e "import('./gateway/authorization/scopeMatrix.ts').then(m => process.stdout.write(m.renderScopeMatrixMarkdown() + '\n'))" > docs/scope-matrix.md`.
 */
describe('docs/scope-matrix.md', () => {
  it('is renderScopeMatrixMarkdown() output', async () => {
    const file = await readFile(new URL('../../docs/scope-matrix.md', import.meta.url), 'utf8');
    expect(file).toBe(`${renderScopeMatrixMarkdown()}\n`);
  });
});
