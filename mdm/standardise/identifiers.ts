import { foldCode } from './text.js';

/**
 * Tax ids (VAT numbers): upper case, separators removed. A national number
 * without its country prefix gets the record's country, so "0417.497.106"
 * (BE) and "BE0417497106" compare equal.
 */
export function standardiseTaxId(value: string | null | undefined, country?: string | null): string | null {
  const code = foldCode(value === null || value === undefined ? null : String(value));
  if (code === null) return null;
  if (/^[A-Z]{2}/.test(code)) return code.startsWith('EL') ? `GR${code.slice(2)}` : code;
  return country && /^[A-Z]{2}$/.test(country) ? `${country}${code}` : code;
}

/**
 * Checksums for the VAT formats whose rule is public and simple; other
 * countries pass on format alone (letters + 2–13 characters).
 */
export function isValidTaxId(taxId: string | null): boolean {
  if (taxId === null || !/^[A-Z]{2}[0-9A-Z]{2,13}$/.test(taxId)) return false;
  const country = taxId.slice(0, 2);
  const body = taxId.slice(2);
  switch (country) {
    case 'BE': {
      if (!/^[01]?\d{9}$/.test(body)) return false;
      const digits = body.padStart(10, '0');
      return 97 - (Number(digits.slice(0, 8)) % 97) === Number(digits.slice(8));
    }
    case 'NL':
      return /^\d{9}B\d{2}$/.test(body);
    case 'DE': {
      if (!/^\d{9}$/.test(body)) return false;
      // ISO 7064 MOD 11,10, as the German Federal Central Tax Office specifies.
      let product = 10;
      for (let i = 0; i < 8; i++) {
        let sum = (Number(body[i]) + product) % 10;
        if (sum === 0) sum = 10;
        product = (2 * sum) % 11;
      }
      const check = (11 - product) % 10;
      return check === Number(body[8]);
    }
    case 'FR':
      return /^[0-9A-Z]{2}\d{9}$/.test(body);
    default:
      return true;
  }
}

/**
 * GTINs (EAN-8/UPC-12/EAN-13/GTIN-14) padded to 14 digits, so the same item
 * written as UPC-A and as EAN-13 compares equal.
 */
export function standardiseGtin(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const digits = String(value).replace(/\D/g, '');
  if (digits.length < 8 || digits.length > 14) return digits === '' ? null : digits;
  return digits.padStart(14, '0');
}

/** The GS1 check digit (weights 3,1,3,… from the right, before the check digit). */
export function isValidGtin(gtin: string | null): boolean {
  if (gtin === null || !/^\d{14}$/.test(gtin)) return false;
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += Number(gtin[i]) * (i % 2 === 0 ? 3 : 1);
  return (10 - (sum % 10)) % 10 === Number(gtin[13]);
}

/** SKUs: upper case, spaces, dots, dashes and slashes dropped ("ab-12 3" = "AB123"). */
export function standardiseSku(value: string | null | undefined): string | null {
  return foldCode(value === null || value === undefined ? null : String(value));
}

/** Numbers from "1,234.50", "1.234,50 €" or 1234.5. */
export function standardiseNumber(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  let text = value.replace(/[^\d.,-]/g, '');
  if (text === '') return null;
  const lastComma = text.lastIndexOf(',');
  const lastDot = text.lastIndexOf('.');
  text = lastComma > lastDot ? text.replace(/\./g, '').replace(',', '.') : text.replace(/,/g, '');
  const number = Number(text);
  return Number.isFinite(number) ? String(number) : null;
}

/** Dates to YYYYMMDD from YYYYMMDD, YYYY-MM-DD or DD/MM/YYYY. */
export function standardiseDate(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  let m = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(text);
  if (m) return `${m[1]}${m[2]}${m[3]}`;
  m = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/.exec(text);
  if (m) return `${m[3]}${m[2].padStart(2, '0')}${m[1].padStart(2, '0')}`;
  const digits = text.replace(/\D/g, '');
  return digits === '' ? null : digits;
}
