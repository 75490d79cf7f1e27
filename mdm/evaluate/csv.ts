import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { EntityConfig } from '../entities/types.js';
import { MdmError } from '../errors.js';
import type { SourceRecord } from '../types.js';
import type { LabelledRecords } from './febrl.js';

/** CSV header names accepted for each attribute (snake_case, lower case, and common synonyms). */
const SYNONYMS: Record<string, string[]> = {
  name: ['name', 'company', 'company_name', 'title', 'product_name'],
  taxId: ['tax_id', 'taxid', 'vat', 'vat_number'],
  primaryEmail: ['email', 'primary_email', 'e_mail'],
  domain: ['domain', 'website', 'web', 'url'],
  phone: ['phone', 'telephone', 'tel'],
  street: ['street', 'address', 'address_1', 'street_address'],
  city: ['city', 'town', 'suburb'],
  postcode: ['postcode', 'zip', 'postal_code', 'zipcode'],
  country: ['country', 'country_code'],
  sku: ['sku', 'default_code', 'hs_sku', 'product_code'],
  gtin: ['gtin', 'ean', 'barcode', 'upc'],
  listPrice: ['price', 'list_price', 'listprice'],
  manufacturer: ['manufacturer', 'brand', 'vendor'],
  description: ['description', 'desc'],
};

/**
 * Reads a labelled CSV for any entity type: columns named after the entity's
 * attributes (or a synonym) are read, others ignored, missing ones empty. The
 * truth column says which rows are one entity; the optional source column
 * names each row's system (for linkage scoring).
 */
export async function readLabelledCsv(file: string, config: EntityConfig, options: { truth: string; source?: string }): Promise<LabelledRecords> {
  let rows: Record<string, string>[];
  try {
    rows = parse(await readFile(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    throw new MdmError('MDM_INPUT_INVALID', `cannot read CSV ${file}: ${(error as Error).message}`);
  }
  if (rows.length === 0) return { records: [], truth: new Map() };
  const header = Object.keys(rows[0]);
  const normalise = (h: string) => h.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  if (!header.includes(options.truth)) throw new MdmError('MDM_INPUT_INVALID', `${file}: no truth column "${options.truth}" (columns: ${header.join(', ')})`);
  if (options.source && !header.includes(options.source)) throw new MdmError('MDM_INPUT_INVALID', `${file}: no source column "${options.source}" (columns: ${header.join(', ')})`);
  const columnOf: Record<string, string> = {};
  for (const attribute of Object.keys(config.attributes)) {
    const names = [normalise(attribute), ...(SYNONYMS[attribute] ?? [])];
    const column = header.find((h) => h !== options.truth && h !== options.source && names.includes(normalise(h)));
    if (column) columnOf[attribute] = column;
  }
  const records: SourceRecord[] = [];
  const truth = new Map<string, string>();
  rows.forEach((row, index) => {
    const system = options.source ? row[options.source] || 'unknown' : 'csv';
    const sourceId = String(index + 1);
    const attributes: SourceRecord['attributes'] = {};
    for (const attribute of Object.keys(config.attributes)) {
      const column = columnOf[attribute];
      attributes[attribute] = column && row[column] !== '' ? row[column] : null;
    }
    records.push({ entityType: config.entityType, system, sourceId, attributes });
    truth.set(`${system}:${sourceId}`, row[options.truth]);
  });
  return { records, truth };
}
