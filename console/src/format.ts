export const KIND_LABELS: Record<string, string> = {
  DEAL_WON_WITHOUT_ERP_SALE: 'Won deal, no ERP sale',
  ERP_INVOICES_UNKNOWN_TO_CRM: 'Invoices, customer unknown to CRM',
  MONTHLY_TOTAL_MISMATCH: 'Monthly totals differ',
  ATTRIBUTE_CONFLICT: 'Attribute conflict',
  SOURCE_WITHOUT_GOLDEN: 'No golden record',
  SINGLE_SOURCE_GOLDEN: 'Single-source golden record',
  STALE_RECORD: 'Stale record',
  QUARANTINED_RECORD: 'Quarantined record',
};

export const KINDS = Object.keys(KIND_LABELS);

export const KIND_COLORS: Record<string, string> = {
  DEAL_WON_WITHOUT_ERP_SALE: '#c0392b',
  ERP_INVOICES_UNKNOWN_TO_CRM: '#d35400',
  MONTHLY_TOTAL_MISMATCH: '#8e44ad',
  ATTRIBUTE_CONFLICT: '#2471a3',
  SOURCE_WITHOUT_GOLDEN: '#117a65',
  SINGLE_SOURCE_GOLDEN: '#7f8c8d',
  STALE_RECORD: '#b7950b',
  QUARANTINED_RECORD: '#1c2833',
};

export const money = (value: number | null | undefined) =>
  value === null || value === undefined ? '' : value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const percent = (value: number | null | undefined) => (value === null || value === undefined ? '–' : `${(value * 100).toFixed(1)} %`);

export const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : '');

/** RFC 4180 CSV: fields with a comma, quote or line break are quoted, quotes doubled. */
export function toCsv(rows: Array<Record<string, unknown>>, columns: string[]): string {
  const cell = (value: unknown) => {
    const text = value === null || value === undefined ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.join(','), ...rows.map((row) => columns.map((c) => cell(row[c])).join(','))].join('\r\n') + '\r\n';
}
