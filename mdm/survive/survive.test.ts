import { describe, expect, it } from 'vitest';
import { customerConfig } from '../entities/index.js';
import { standardiseRecord } from '../standardise/index.js';
import type { SourceRecord } from '../types.js';
import { surviveGoldenValues } from './index.js';

const record = (system: string, sourceId: string, updatedAt: string, attributes: SourceRecord['attributes']) =>
  standardiseRecord({ entityType: 'customer', system, sourceId, updatedAt, attributes }, customerConfig.attributes);

describe('survivorship', () => {
  const erp = record('erp', '7', '2026-01-01T00:00:00Z', { name: 'Acme GmbH', taxId: 'DE 136695976', phone: 'call reception', country: 'DE', domain: 'acme.de' });
  const crm = record('crm', '42', '2026-06-01T00:00:00Z', { name: 'ACME', taxId: 'DE136695978', phone: '+49 30 1234567', primaryEmail: 'INFO@ACME.DE', country: 'Germany', domain: 'https://www.acme.de/' });
  const { attributes, provenance } = surviveGoldenValues([crm, erp], customerConfig.survivorship);

  it('takes the name from the most trusted source (the ERP) and says so', () => {
    expect(attributes.name).toBe('Acme GmbH');
    expect(provenance.name).toEqual({ system: 'erp', sourceId: '7', rule: 'trust' });
  });
  it('prefers a tax id that passes its checksum over a more trusted one that fails it', () => {
    expect(attributes.taxId).toBe('DE136695976');
    expect(provenance.taxId).toEqual({ system: 'erp', sourceId: '7', rule: 'validated+trust' });
    expect(erp.valid.taxId).toBe(true);
    expect(crm.valid.taxId).toBe(false);
  });
  it('prefers a valid E.164 phone, the most recent one, in standard form', () => {
    expect(attributes.phone).toBe('+49301234567');
    expect(provenance.phone).toEqual({ system: 'crm', sourceId: '42', rule: 'validated+recent' });
  });
  it('takes the value most sources agree on for domain and country, and fills gaps from whichever source has them', () => {
    expect(attributes.domain).toBe('acme.de');
    expect(attributes.country).toBe('DE');
    expect(attributes.primaryEmail).toBe('info@acme.de');
    expect(provenance.primaryEmail.system).toBe('crm');
  });
});
