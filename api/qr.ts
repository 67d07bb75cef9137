/**
 * QR codes of survey links, as SVG: printed on dossier receipts (issue #3) and counter posters.
 * Error correction M (15 %) survives a creased or slightly dirty receipt and keeps a long link with
 * a token at a size phones read from a printout; a 2-module quiet zone is what small printed codes
 * usually get (the standard asks 4; posters add their own white margin around it).
 */
import QRCode from 'qrcode';

/**
 * @example const svg = await qrSvg('https://gopy.example/danh-gia/?don-vi=so-y-te&quay=1&mau=quay');
 */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/**
 * The survey page with the parameters a QR code carries (docs/architecture.md §2 `/danh-gia/`).
 * @example surveyUrl('https://gopy.example', { 'don-vi': 'so-y-te', ma: token })
 */
export function surveyUrl(base: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, value);
  return `${base.replace(/\/+$/, '')}/danh-gia/?${query.toString()}`;
}
