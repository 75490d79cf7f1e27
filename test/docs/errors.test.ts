import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../bin/docs/errorCatalogue.js';
import { renderErrorsPage } from '../../bin/docs/errorsPage.js';
import { errorEntries } from '../../platform/errors/registry.js';

describe('the error registries and docs/errors.md', () => {
  it('give every code an HTTP status and a description that says what happened', () => {
    for (const section of ERROR_CATALOGUE) {
      for (const entry of errorEntries(section.registry)) {
        expect(entry.code, section.title).toMatch(/^[A-Z][A-Z0-9_]*$/);
        expect(Number.isInteger(entry.status) && entry.status >= 200 && entry.status <= 599, `${section.title} ${entry.code}`).toBe(true);
        expect(entry.description.length, `${section.title} ${entry.code}`).toBeGreaterThan(20);
      }
    }
  });

  it('are listed, every one of them, in docs/errors.md (npx concord docs errors --write regenerates it)', () => {
    const page = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    expect(page, 'docs/errors.md is out of date: run npx concord docs errors --write').toBe(renderErrorsPage());
    for (const section of ERROR_CATALOGUE) {
      for (const code of Object.keys(section.registry)) expect(page).toContain(`| \`${code}\` |`);
    }
  });
});
