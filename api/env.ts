/**
 * The only module that reads environment variables (docs/architecture.md §1). Everything else receives a Config.
 * Defaults start the embedded portal with demo data; see `.env.example` for the list.
 */
import { z } from 'zod';

const schema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/)/, 'must start with file:, libsql://, http(s):// or ws(s)://')
    .default('file:data/gopy.db'),
  DATABASE_AUTH_TOKEN: z.string().min(1).optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4321),
  /** Public origin(s) of the site, comma-separated, for the same-origin check on writes when the
   * portal runs behind a proxy or the site is on another host (scaled-out mode). */
  PUBLIC_ORIGINS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  SITE_DIR: z.string().default('dist'),
  CONTENT_DIR: z.string().default('content'),
  /** Request bodies larger than this are refused with 413 before they are read. */
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1024),
  LOG_LEVEL: z.enum(['silent', 'error', 'info']).default('info'),
  /** "production" makes PUBLIC_BASE_URL required (see isProduction). */
  NODE_ENV: z.string().optional(),
  /** Public address of the portal, used in survey links, QR codes and mails (no trailing slash).
   * Required in production: links are never built from the request's Host header (issue #7 part 6). */
  PUBLIC_BASE_URL: z
    .string()
    .regex(/^https?:\/\/[^/]+$/, 'must be an origin like https://gopy.khanhhoa.gov.vn')
    .optional(),
  /** How long a one-time survey token stays valid after the dossier is returned. */
  SURVEY_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Open (self-selected) responses allowed per client address and unit in one window. */
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(5),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(600),
  /** Require a proof-of-work solution on open responses (altcha). Tests may turn it off. */
  POW_REQUIRED: z
    .enum(['1', '0', 'true', 'false'])
    .default('1')
    .transform((v) => v === '1' || v === 'true'),
  /** Fill an empty database (no responses) with two years of generated demo data on start. */
  DEMO_DATA: z
    .enum(['1', '0', 'true', 'false'])
    .default('1')
    .transform((v) => v === '1' || v === 'true'),
  /** Statistics cells with fewer responses than this are suppressed. */
  STATS_MIN_N: z.coerce.number().int().min(1).default(10),
  /** Staff sessions end after this long without a request, and in any case this long after sign-in. */
  STAFF_IDLE_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
  STAFF_SESSION_HOURS: z.coerce.number().int().min(1).max(168).default(12),
  /** Roles whose members must pass a second factor (docs/staff-security.md): a comma list, or
   * `none`. Default: every role, since each can reach senders' personal data (contact data for
   * coordinators and handlers, unredacted texts for publishers, any account's reset for admins). */
  STAFF_MFA_ROLES: z
    .string()
    .regex(
      /^(none|((coordinator|handler|publisher|admin|supervisor)(,(coordinator|handler|publisher|admin|supervisor))*))$/,
    )
    .default('coordinator,handler,publisher,admin,supervisor')
    .transform((v) => (v === 'none' ? [] : [...new Set(v.split(','))])),
  /** 32 random bytes, base64url: seals TOTP secrets at rest (AES-256-GCM). Unset: stored unsealed. */
  STAFF_MFA_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes in base64url (openssl rand -base64 32 | tr +/ -_ | tr -d =)')
    .optional(),
  /** Where e-mail goes: smtp://user:pass@host:port or smtps://… When unset, each mail is written as
   * an .eml file into MAIL_DIR instead (demo and development), so nothing is lost or sent. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Cổng Góp ý Khánh Hòa <khong-tra-loi@gopy.example>'),
  MAIL_DIR: z.string().default('data/mail'),
  /** Where text messages go (docs/sms.md): an SMPP 3.4 gateway,
   * smpp://systemid:password@host:2775?source=BRANDNAME (ssmpp:// for TLS). When unset, each part is
   * written as a text file into SMS_DIR instead, so nothing is lost or sent. */
  SMPP_URL: z
    .string()
    .regex(/^s?smpp:\/\/[^@/]+@[^/]+/, 'must look like smpp://systemid:password@host:2775?source=BRANDNAME')
    .optional(),
  SMS_DIR: z.string().default('data/sms'),
  /** 1: send SMS without accents in the GSM 7-bit alphabet (160 characters, 153 per part) instead of
   * Vietnamese in UCS-2 (70, 67 per part): cheaper, as many brandname contracts are priced. */
  SMS_UNACCENTED: z
    .enum(['1', '0', 'true', 'false'])
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  /** How long a part handed to the gateway without an answer (crash, lost connection) waits for the
   * gateway's delivery receipt before it is sent again (docs/sms.md "Exactly once"). */
  SMS_LEASE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  /** Largest feedback submission with its attachments (5 files of at most 10 MB, plus the text). */
  FEEDBACK_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(52 * 1024 * 1024),
  /** Online snapshots of a local database (docs/operations.md "Backups"): where they go, how often
   * `npm start` takes one (0 = never), and how many are kept: the newest BACKUP_KEEP_RECENT, plus
   * the newest of each of the last BACKUP_KEEP_DAILY days and BACKUP_KEEP_MONTHLY months. */
  BACKUP_DIR: z.string().default('data/backups'),
  BACKUP_EVERY_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 31)
    .default(1),
  /** Encrypts snapshots (AES-256-GCM): 32 bytes as 64 hex digits or base64, or a passphrase of at
   * least 16 characters (scrypt with a salt stored in each file). Unset: snapshots are plain SQLite. */
  BACKUP_KEY: z.string().min(16, 'must be 32 bytes (hex or base64) or a passphrase of 16+ characters').optional(),
  BACKUP_KEEP_RECENT: z.coerce.number().int().min(1).default(24),
  BACKUP_KEEP_DAILY: z.coerce.number().int().min(0).default(14),
  BACKUP_KEEP_MONTHLY: z.coerce.number().int().min(0).default(24),
  /** The health check reports `degraded` when the database's filesystem has less free space. */
  HEALTH_MIN_FREE_MB: z.coerce.number().min(0).default(100),
  /** The one-stop system's API key for `npm run dossiers -- import` (issue #11): from the
   * environment or a file, so it is not on the command line, in `ps` or in the shell history. */
  DOSSIER_API_KEY: z.string().min(1).optional(),
  /** Memory for the public response cache of statistics and published answers (docs/performance.md
   * "Public response cache"): least recently used entries go when their bodies pass this size. */
  PUBLIC_CACHE_MB: z.coerce.number().min(0).default(32),
  /** How long a cached public page may be served after a change (a rating, a case step, a
   * publication) before it is computed again: the server's part of the freshness bound stated on
   * the statistics page. 0 computes every view after a change anew. */
  PUBLIC_CACHE_STALE_SECONDS: z.coerce.number().min(0).max(60).default(10),
});

export type Config = z.infer<typeof schema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // A blank line copied from .env.example (PORT=) means "use the default", not port 0.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration (see .env.example):\n${lines.join('\n')}`);
  }
  return parsed.data;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Production, for the checks below: NODE_ENV=production, or a server listening beyond this machine
 * (any HOST but loopback, as behind a reverse proxy). A demo on 127.0.0.1 is not.
 */
export function isProduction(config: Config): boolean {
  return config.NODE_ENV === 'production' || !LOOPBACK.has(config.HOST);
}

/**
 * The public origin for links in survey answers, QR codes and mails: PUBLIC_BASE_URL, or this
 * server's own address in a demo. Never the request's Host header, which the client chooses
 * (a forged Host would put an attacker's site in a printed QR code; issue #7 part 6).
 */
export function publicBaseUrl(config: Config): string {
  if (config.PUBLIC_BASE_URL) return config.PUBLIC_BASE_URL;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${config.PORT}`;
}

/** What the server needs beyond a valid config; startServer refuses to start otherwise. */
export function checkServerConfig(config: Config): void {
  if (isProduction(config) && !config.PUBLIC_BASE_URL)
    throw new Error(
      'Invalid configuration (see .env.example):\n  PUBLIC_BASE_URL: required in production ' +
        `(NODE_ENV=production or HOST=${config.HOST}), e.g. https://gopy.khanhhoa.gov.vn`,
    );
}

/** A config for tests and scripts: the defaults plus what is given. */
export function configWith(overrides: Partial<Record<keyof Config, string>>): Config {
  return loadConfig(overrides);
}
