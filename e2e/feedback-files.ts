/**
 * Files for the feedback specs: a real JPEG (made with sharp, as a phone would send it, with EXIF)
 * and the smallest PDF the API's checks accept (api/routes/staff-feedback.test.ts uses the same).
 */
import sharp from 'sharp';

export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

export async function jpeg(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a7' } })
    .jpeg()
    .withExif({ IFD0: { Make: 'E2eCam' } })
    .toBuffer();
}
