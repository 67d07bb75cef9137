/** Password hashing (argon2id PHC strings, OWASP parameters) and generated passwords (issue #4). */
import { describe, expect, it } from 'vitest';
import { ARGON2_PARAMS, generatePassword, hashPassword, verifyPassword } from './auth.ts';

describe('passwords', () => {
  it('hashes with argon2id into a PHC string with the OWASP parameters', async () => {
    const phc = await hashPassword('mật khẩu đúng');
    expect(ARGON2_PARAMS).toMatchObject({ memory: 19456, passes: 2, parallelism: 1 });
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(phc).not.toContain('mật khẩu');
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const phc = await hashPassword('correct horse battery');
    await expect(verifyPassword('correct horse battery', phc)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterY', phc)).resolves.toBe(false);
    await expect(verifyPassword('', phc)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('accepts either Unicode form of a Vietnamese password (NFC before hashing)', async () => {
    const phc = await hashPassword('Hòa bình'.normalize('NFD'));
    await expect(verifyPassword('Hòa bình'.normalize('NFC'), phc)).resolves.toBe(true);
  });

  it('refuses malformed or out-of-bounds PHC strings without hashing for minutes', async () => {
    const phc = await hashPassword('x');
    await expect(verifyPassword('x', 'plain-text')).resolves.toBe(false);
    await expect(verifyPassword('x', phc.replace('m=19456', 'm=99999999'))).resolves.toBe(false);
    await expect(verifyPassword('x', phc.replace('$argon2id$', '$argon2i$'))).resolves.toBe(false);
  });

  it('generates long passwords from an unambiguous alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const p = generatePassword();
      expect(p).toMatch(/^[A-HJ-NP-Za-km-z2-9]{20}$/);
      seen.add(p);
    }
    expect(seen.size).toBe(50);
  });
});
