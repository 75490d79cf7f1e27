/**
 * PII masks. Each is idempotent (masking a masked value gives the same value),
 * because a value may be masked in the subgraph and again at the gateway.
 */
export const PII_MASKS = ['EMAIL', 'PHONE', 'NAME', 'TAX_ID', 'REDACT'] as const;
export type PiiMask = (typeof PII_MASKS)[number];

const DOT = '•';

/** `jane.doe@example.com` → `j•••@example.com`: the domain stays, it is what support needs to route. */
export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0) return redact(value);
  return `${value[0]}${DOT.repeat(3)}${value.slice(at)}`;
}

/** `+33 6 12 34 56 78` → `•••78`: the last two digits let a caller confirm a number; a fixed prefix hides the length. */
export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 2) return redact(value);
  return `${DOT.repeat(3)}${digits.slice(-2)}`;
}

/** `Jane Mary Doe` → `J. M. D.` */
export function maskName(value: string): string {
  const initials = value
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => `${part.replace(/[^\p{L}\p{N}]/gu, '').charAt(0).toUpperCase()}.`)
    .filter((initial) => initial !== '.');
  return initials.length ? initials.join(' ') : redact(value);
}

/** `FR12345678901` → `•••901`: the last three characters, as on a printed receipt. */
export function maskTaxId(value: string): string {
  const compact = value.replace(/[\s.\-]/g, '');
  if (compact.length <= 3) return redact(value);
  return `${DOT.repeat(3)}${compact.slice(-3)}`;
}

export function redact(_value: string): string {
  return DOT.repeat(3);
}

const MASKERS: Record<PiiMask, (value: string) => string> = {
  EMAIL: maskEmail,
  PHONE: maskPhone,
  NAME: maskName,
  TAX_ID: maskTaxId,
  REDACT: redact,
};

/** Masks a leaf value of any shape: strings are masked, lists element-wise, null stays null, other scalars are redacted. */
export function maskValue(mask: PiiMask, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map((item) => maskValue(mask, item));
  if (typeof value === 'string') return MASKERS[mask](value);
  return DOT.repeat(3);
}
