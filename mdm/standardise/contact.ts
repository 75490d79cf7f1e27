import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { foldText } from './text.js';

/** Emails compare case-insensitively; the syntax check feeds "validated values first". */
export function standardiseEmail(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const email = String(value).trim().toLowerCase();
  return email === '' ? null : email;
}

export function isValidEmail(value: string | null): boolean {
  return value !== null && /^[^\s@]+@[^\s@]+\.[a-z]{2,}$/.test(value);
}

/**
 * A web domain from a URL, a bare domain or an email address: the registrable
 * part as typed, without scheme, `www.`, path or port.
 */
export function standardiseDomain(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  let text = String(value).trim().toLowerCase();
  if (text === '') return null;
  const at = text.lastIndexOf('@');
  if (at >= 0) text = text.slice(at + 1);
  text = text.replace(/^[a-z]+:\/\//, '').replace(/[/?#:].*$/, '').replace(/^www\d?\./, '').replace(/\.$/, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(text) ? text : null;
}

/** Free-mail domains identify nobody's company: never a domain match. */
export const FREE_MAIL_DOMAINS = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'live.com', 'aol.com',
  'icloud.com', 'gmx.de', 'gmx.net', 'web.de', 'orange.fr', 'free.fr', 'proton.me', 'protonmail.com',
]);

/**
 * Phone numbers to E.164 (libphonenumber), using the record's country for
 * national formats. Unparseable numbers fall back to their digits so that
 * two identical oddities still compare equal.
 */
export function standardisePhone(value: string | null | undefined, country?: string | null): string | null {
  if (value === null || value === undefined) return null;
  const raw = String(value).trim();
  if (raw === '') return null;
  const region = country && /^[A-Z]{2}$/.test(country) ? (country as CountryCode) : undefined;
  const parsed = parsePhoneNumberFromString(raw.replace(/^00/, '+'), region);
  if (parsed && parsed.isPossible()) return parsed.number;
  const digits = raw.replace(/\D/g, '');
  return digits === '' ? null : digits;
}

export function isE164(value: string | null): boolean {
  return value !== null && /^\+[1-9]\d{6,14}$/.test(value);
}

/** Postcodes: upper case, no spaces or dashes ("1000 ab" = "1000AB"). */
export function standardisePostcode(value: string | null | undefined): string | null {
  const folded = foldText(value === null || value === undefined ? null : String(value));
  return folded === null ? null : folded.replace(/ /g, '').toUpperCase();
}

const STREET_ABBREVIATIONS: Record<string, string> = {
  st: 'street', str: 'strasse', strasse: 'strasse', rd: 'road', ave: 'avenue', av: 'avenue', blvd: 'boulevard',
  dr: 'drive', ln: 'lane', ct: 'court', pl: 'place', sq: 'square', hwy: 'highway', pkwy: 'parkway',
  cres: 'crescent', cct: 'circuit', cir: 'circuit', tce: 'terrace', pde: 'parade', bd: 'boulevard',
  n: 'north', s: 'south', e: 'east', w: 'west', apt: 'apartment', ste: 'suite',
};

/** Street lines: folded, common abbreviations expanded, "strasse" suffixes split off. */
export function standardiseStreet(value: string | null | undefined): string | null {
  const folded = foldText(value === null || value === undefined ? null : String(value));
  if (folded === null) return null;
  return folded
    .replace(/([a-z])(strasse|str)\b/g, '$1 strasse')
    .split(' ')
    .map((t) => STREET_ABBREVIATIONS[t] ?? t)
    .join(' ');
}

export function standardiseCity(value: string | null | undefined): string | null {
  const folded = foldText(value === null || value === undefined ? null : String(value));
  return folded === null ? null : folded.replace(/\bsaint\b/g, 'st').replace(/\bsankt\b/g, 'st');
}

let countryNames: Map<string, string> | undefined;

/** Countries to ISO 3166-1 alpha-2, from codes or English names (Intl's own table). */
export function standardiseCountry(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const raw = String(value).trim();
  if (raw === '') return null;
  if (/^[A-Za-z]{2}$/.test(raw)) return raw.toUpperCase();
  if (!countryNames) {
    countryNames = new Map();
    const display = new Intl.DisplayNames(['en'], { type: 'region' });
    for (let a = 65; a <= 90; a++) {
      for (let b = 65; b <= 90; b++) {
        const code = String.fromCharCode(a, b);
        const name = display.of(code);
        if (name && name !== code) countryNames.set(foldText(name)!, code);
      }
    }
    for (const [alias, code] of Object.entries({ usa: 'US', 'united states of america': 'US', uk: 'GB', 'great britain': 'GB', england: 'GB', holland: 'NL', deutschland: 'DE', belgique: 'BE', belgie: 'BE', nederland: 'NL', schweiz: 'CH', suisse: 'CH', osterreich: 'AT', espana: 'ES', italia: 'IT' })) {
      countryNames.set(alias, code);
    }
  }
  return countryNames.get(foldText(raw) ?? '') ?? foldText(raw);
}
