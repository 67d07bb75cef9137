/**
 * The per-request decoded-pixel budget (issue #7 part 5): five 49-megapixel PNGs must not tie the
 * server up, so one request's images share REQUEST_PIXEL_BUDGET, checked from the headers before
 * any decoding.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkAttachment, pixelBudget, REQUEST_PIXEL_BUDGET } from './attachments.ts';

describe('decoded pixels per request', () => {
  it('decodes two 48-megapixel PNGs, then refuses the third before decoding it', async () => {
    const big = new Uint8Array(
      await sharp({ create: { width: 8000, height: 6000, channels: 3, background: '#7a9' } })
        .png({ compressionLevel: 1 })
        .toBuffer(),
    );
    const budget = pixelBudget();
    expect(budget.left).toBe(REQUEST_PIXEL_BUDGET);
    const t0 = performance.now();
    expect((await checkAttachment({ name: '1.png', bytes: big }, budget)).ok).toBe(true);
    const oneDecode = performance.now() - t0;
    expect((await checkAttachment({ name: '2.png', bytes: big }, budget)).ok).toBe(true);
    const t1 = performance.now();
    expect(await checkAttachment({ name: '3.png', bytes: big }, budget)).toEqual({
      ok: false,
      code: 'attachment_pixels_exceeded',
    });
    const refusal = performance.now() - t1;
    // Refused from the header: far cheaper than a decode.
    expect(refusal).toBeLessThan(oneDecode / 4);
    console.info(`48 MP PNG: decode+re-encode ${oneDecode.toFixed(0)} ms, refusal ${refusal.toFixed(0)} ms`);
    // A fresh request has a fresh budget; a small picture fits a nearly spent one.
    expect((await checkAttachment({ name: '4.png', bytes: big })).ok).toBe(true);
    const small = new Uint8Array(
      await sharp({ create: { width: 40, height: 30, channels: 3, background: '#000' } })
        .png()
        .toBuffer(),
    );
    expect((await checkAttachment({ name: 's.png', bytes: small }, { left: 1200 })).ok).toBe(true);
    expect((await checkAttachment({ name: 's.png', bytes: small }, { left: 1199 })).ok).toBe(false);
  }, 120_000);
});
