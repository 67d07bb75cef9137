/**
 * Encryption of backup files (issue #9 "Backups"): AES-256-GCM from node:crypto, streamed so a
 * large database never sits in memory. The format is documented in docs/operations.md:
 *
 *   magic "GOPYBAK" (7 bytes) | version 0x01 | kdf (0 = raw 32-byte key, 1 = scrypt passphrase)
 *   | salt (16 bytes) | iv (12 bytes) | ciphertext | tag (16 bytes)
 *
 * The 37-byte header is authenticated as additional data, so a changed header fails like a changed
 * body. scrypt parameters of version 1: N = 2^15, r = 8, p = 1, 32-byte key.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { createReadStream, createWriteStream, openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';

export const MAGIC = Buffer.from('GOPYBAK', 'latin1');
const VERSION = 1;
const HEADER = MAGIC.length + 1 + 1 + 16 + 12;
const TAG = 16;
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** A 32-byte key from BACKUP_KEY: 64 hex digits, base64 of 32 bytes, or else a passphrase. */
export function parseKey(secret: string): { raw: Buffer } | { passphrase: string } {
  if (/^[0-9a-fA-F]{64}$/.test(secret)) return { raw: Buffer.from(secret, 'hex') };
  if (/^[A-Za-z0-9+/]{43}=$/.test(secret)) return { raw: Buffer.from(secret, 'base64') };
  return { passphrase: secret };
}

function keyFor(secret: string, kdf: number, salt: Buffer): Buffer {
  const parsed = parseKey(secret);
  if (kdf === 0) {
    if (!('raw' in parsed))
      throw new Error('this backup was encrypted with a raw 32-byte key, BACKUP_KEY is a passphrase');
    return parsed.raw;
  }
  if (!('passphrase' in parsed))
    throw new Error('this backup was encrypted with a passphrase, BACKUP_KEY is a raw key');
  return scryptSync(parsed.passphrase, salt, 32, SCRYPT);
}

/** True when the file starts with the backup magic (an encrypted backup, not a plain SQLite file). */
export function isEncrypted(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(MAGIC.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(MAGIC);
  } finally {
    closeSync(fd);
  }
}

/** Encrypts `plain` into `out` (created with mode 0600). */
export async function encryptFile(plain: string, out: string, secret: string): Promise<void> {
  const kdf = 'raw' in parseKey(secret) ? 0 : 1;
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const header = Buffer.concat([MAGIC, Buffer.from([VERSION, kdf]), salt, iv]);
  const cipher = createCipheriv('aes-256-gcm', keyFor(secret, kdf, salt), iv);
  cipher.setAAD(header);
  const sink = createWriteStream(out, { mode: 0o600 });
  sink.write(header);
  await pipeline(createReadStream(plain), cipher, sink, { end: false });
  await new Promise<void>((resolve, reject) => sink.end(cipher.getAuthTag(), () => resolve()).once('error', reject));
}

/** Decrypts `file` into `out` (mode 0600); throws, leaving `out` incomplete, when the key or the file is wrong. */
export async function decryptFile(file: string, out: string, secret: string): Promise<void> {
  const fd = openSync(file, 'r');
  let header: Buffer;
  let tag: Buffer;
  let size: number;
  try {
    size = fstatSync(fd).size;
    if (size < HEADER + TAG) throw new Error('not a gopy backup (too short)');
    header = Buffer.alloc(HEADER);
    readSync(fd, header, 0, HEADER, 0);
    tag = Buffer.alloc(TAG);
    readSync(fd, tag, 0, TAG, size - TAG);
  } finally {
    closeSync(fd);
  }
  if (!header.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not an encrypted gopy backup');
  const version = header[MAGIC.length]!;
  if (version !== VERSION) throw new Error(`unknown backup format version ${version}`);
  const kdf = header[MAGIC.length + 1]!;
  const salt = header.subarray(MAGIC.length + 2, MAGIC.length + 18);
  const iv = header.subarray(MAGIC.length + 18, HEADER);
  const decipher = createDecipheriv('aes-256-gcm', keyFor(secret, kdf, salt), iv);
  decipher.setAAD(header);
  decipher.setAuthTag(tag);
  try {
    await pipeline(
      createReadStream(file, { start: HEADER, end: size - TAG - 1 }),
      decipher,
      createWriteStream(out, { mode: 0o600 }),
    );
  } catch (err) {
    throw new Error(`cannot decrypt the backup: wrong BACKUP_KEY or a damaged file (${(err as Error).message})`, {
      cause: err,
    });
  }
}
