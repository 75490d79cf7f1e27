/**
 * Check-digit algorithms, so generated identifiers pass the validators real
 * systems run (a GTIN scanner, a VIES-style VAT syntax check). Only the
 * arithmetic lives here; which digits to feed in is the caller's choice.
 */

/** GS1 check digit of the first 12 digits of a GTIN-13 (weights 1,3,1,3… from the left). */
export function gtin13CheckDigit(first12: string): string {
  if (!/^\d{12}$/.test(first12)) throw new Error(`gtin13CheckDigit: expected 12 digits, got "${first12}"`);
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3);
  return String((10 - (sum % 10)) % 10);
}

export function isValidGtin13(gtin: string): boolean {
  return /^\d{13}$/.test(gtin) && gtin13CheckDigit(gtin.slice(0, 12)) === gtin[12];
}

/** Luhn check digit (used by French SIREN and Italian partita IVA numbers). */
export function luhnCheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** German USt-IdNr check digit: ISO 7064 MOD 11,10 over the first 8 digits. */
export function germanVatCheckDigit(first8: string): string {
  let product = 10;
  for (const char of first8) {
    let sum = (Number(char) + product) % 10;
    if (sum === 0) sum = 10;
    product = (2 * sum) % 11;
  }
  const check = 11 - product;
  return String(check === 10 ? 0 : check);
}

/** French VAT key: (12 + 3 × (SIREN mod 97)) mod 97, two digits. */
export function frenchVatKey(siren: string): string {
  return String((12 + 3 * (Number(siren) % 97)) % 97).padStart(2, '0');
}

/** Belgian enterprise number check: 97 − (first 8 digits mod 97), two digits. */
export function belgianVatCheck(first8: string): string {
  return String(97 - (Number(first8) % 97)).padStart(2, '0');
}

/** Irish VAT check letter over 7 digits (weights 8..2, mod 23). */
export function irishVatCheckLetter(digits7: string): string {
  let sum = 0;
  for (let i = 0; i < 7; i++) sum += Number(digits7[i]) * (8 - i);
  return 'WABCDEFGHIJKLMNOPQRSTUV'[sum % 23];
}

/** Spanish CIF control digit over the 7 digits after the organisation letter. */
export function spanishCifControl(digits7: string): string {
  let sum = 0;
  for (let i = 0; i < 7; i++) {
    const d = Number(digits7[i]);
    if (i % 2 === 1) sum += d;
    else {
      const doubled = d * 2;
      sum += Math.floor(doubled / 10) + (doubled % 10);
    }
  }
  return String((10 - (sum % 10)) % 10);
}
