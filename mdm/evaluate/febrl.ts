import { readFile } from 'node:fs/promises';
import { MdmError } from '../errors.js';
import type { SourceRecord } from '../types.js';

/** Records read from a labelled file, and their truth labels (kept apart: the matcher never sees them). */
export interface LabelledRecords {
  records: SourceRecord[];
  /** source key → truth label */
  truth: Map<string, string>;
}

const FEBRL_COLUMNS = ['given_name', 'surname', 'street_number', 'address_1', 'address_2', 'suburb', 'postcode', 'state', 'date_of_birth', 'soc_sec_id'];

/**
 * Reads a FEBRL file (rec_id, given_name, surname, …; fields separated by
 * ", "). The truth is the number in the record id: rec-N-org and rec-N-dup-K
 * are the same person.
 */
export async function readFebrlFile(file: string, system = 'febrl'): Promise<LabelledRecords> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new MdmError('MDM_INPUT_INVALID', `cannot read FEBRL file ${file}: ${(error as Error).message}`);
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0].split(',').map((h) => h.trim());
  const idColumn = header.indexOf('rec_id');
  if (idColumn < 0) throw new MdmError('MDM_INPUT_INVALID', `${file}: expected a FEBRL header starting with rec_id, got "${lines[0].slice(0, 80)}"`);
  const records: SourceRecord[] = [];
  const truth = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',').map((c) => c.trim());
    const id = cells[idColumn];
    const attributes: Record<string, string | null> = {};
    for (const column of FEBRL_COLUMNS) {
      const at = header.indexOf(column);
      attributes[column] = at >= 0 && cells[at] !== undefined && cells[at] !== '' ? cells[at] : null;
    }
    records.push({ entityType: 'person', system, sourceId: id, attributes });
    const label = /^rec-(\d+)-/.exec(id)?.[1];
    if (label === undefined) throw new MdmError('MDM_INPUT_INVALID', `${file}: record id "${id}" is not rec-N-org or rec-N-dup-K`);
    truth.set(`${system}:${id}`, label);
  }
  return { records, truth };
}
