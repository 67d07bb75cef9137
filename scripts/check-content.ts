/** `npm run content:check`: validates content/ and prints each problem with file, entry and field. */
import { loadContent, ContentError } from '../api/contracts/load-content.ts';
import { loadPrivacyNotice, loadPrivacyRights } from '../api/contracts/privacy.ts';

const root = process.argv[2] ?? 'content';
try {
  const c = loadContent(root);
  const notice = loadPrivacyNotice(root);
  loadPrivacyRights(root);
  console.log(
    `content ok: ${c.units.length} units, ${c.fields.length} fields, ${c.procedures.length} procedures, ` +
      `${c.contacts.length} contact points, ${c.indices.length} indices, ${c.targets.length} targets, ${c.instruments.length} survey instruments, privacy notice ${notice.current}`,
  );
} catch (err) {
  if (err instanceof ContentError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
