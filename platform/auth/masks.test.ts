import { describe, expect, it } from 'vitest';
import { maskEmail, maskName, maskPhone, maskTaxId, maskValue } from './masks.js';

describe('PII masks', () => {
  it.each([
    [maskEmail, 'jane.doe@example.com', 'j•••@example.com'],
    [maskPhone, '+33 6 12 34 56 78', '•••78'],
    [maskName, 'Jane mary Doe', 'J. M. D.'],
    [maskTaxId, 'FR 123 456 789', '•••789'],
  ])('%o masks %s as %s and is idempotent', (mask, clear, masked) => {
    expect(mask(clear)).toBe(masked);
    expect(mask(masked)).toBe(masked);
  });
  it('masks lists element-wise and leaves null alone', () => {
    expect(maskValue('EMAIL', ['a@b.c', null])).toEqual(['a•••@b.c', null]);
    expect(maskValue('PHONE', null)).toBeNull();
  });
});
