/**
 * Password authentication for the PostgreSQL client: the md5 response and a
 * SCRAM-SHA-256 client (RFC 5802 / RFC 7677) without channel binding (this
 * client has no SSL, so the GS2 header is always "n,,"), verifying the
 * server's signature before the login counts as done.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'crypto';
import { utf8 } from './messages';

/** An authentication exchange that cannot go on; the message reads like libpq's. */
export class AuthError extends Error {}

function md5Hex(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * AuthenticationMD5Password's answer: "md5" + md5hex(md5hex(password + user) + salt),
 * as bytes to send in a PasswordMessage.
 */
export function md5Response(password: Uint8Array, user: Uint8Array, salt: Uint8Array): Uint8Array {
  const inner = md5Hex(Buffer.concat([password, user]));
  return utf8('md5' + md5Hex(Buffer.concat([utf8(inner), salt])));
}

/**
 * SASLprep (RFC 4013) of the password, approximately: non-ASCII spaces map to
 * a space, the "commonly mapped to nothing" characters are dropped, then NFKC.
 * Where the result would contain prohibited characters (controls, private use,
 * surrogates, non-characters) the raw password is used, as the server itself
 * does when its SASLprep fails. An ASCII password is used as it is.
 */
export function saslPrep(password: Uint8Array): Uint8Array {
  if (password.every((b) => b < 0x80)) return password;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(password);
  if (text.includes('\uFFFD')) return password; // not UTF-8: the server uses it raw too
  const mapped = text
    .replace(/[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g, ' ')
    .replace(/[\u00AD\u034F\u1806\u180B-\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g, '')
    .normalize('NFKC');
  // eslint-disable-next-line no-control-regex
  if (mapped === '' || /[\u0000-\u001F\u007F-\u009F\uE000-\uF8FF\uFFF9-\uFFFF\uD800-\uDFFF]/.test(mapped)) return password;
  return utf8(mapped);
}

function hmac(key: Uint8Array, data: Uint8Array | string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Splits "a=1,b=2" into attributes (values may contain '='). */
function attributes(message: string, what: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    if (part.length < 2 || part[1] !== '=') throw new AuthError(`malformed SCRAM message (attribute expected in ${what})`);
    out.set(part[0], part.slice(2));
  }
  return out;
}

/** One SCRAM-SHA-256 exchange: clientFirst(), then clientFinal(serverFirst), then verifyServerFinal(serverFinal). */
export class ScramClient {
  static readonly MECHANISM = 'SCRAM-SHA-256';
  private readonly nonce: string;
  private readonly clientFirstBare: string;
  private serverSignature: Buffer | undefined;

  /**
   * nonce and user are for tests against published vectors (RFC 7677). By
   * default the nonce is 18 random bytes in base64 (printable, comma-free)
   * and the user name is left empty, as the server takes the one from the
   * startup packet.
   */
  constructor(private readonly password: Uint8Array, nonce?: string, user = '') {
    this.nonce = nonce ?? randomBytes(18).toString('base64');
    this.clientFirstBare = `n=${user.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${this.nonce}`;
  }

  /** The client-first message of SASLInitialResponse. */
  clientFirst(): Uint8Array {
    return utf8(`n,,${this.clientFirstBare}`);
  }

  /** Reads server-first (r, s, i) and returns client-final with the proof. */
  clientFinal(serverFirstBytes: Uint8Array): Uint8Array {
    const serverFirst = Buffer.from(serverFirstBytes).toString('utf8');
    const attrs = attributes(serverFirst, 'server-first-message');
    const serverNonce = attrs.get('r');
    const saltText = attrs.get('s');
    const iterText = attrs.get('i');
    if (serverNonce === undefined || saltText === undefined || iterText === undefined) {
      throw new AuthError('malformed SCRAM message (r, s or i attribute missing)');
    }
    if (!serverNonce.startsWith(this.nonce) || serverNonce.length === this.nonce.length) {
      throw new AuthError('invalid SCRAM response (nonce mismatch)');
    }
    const salt = Buffer.from(saltText, 'base64');
    if (salt.length === 0) throw new AuthError('malformed SCRAM message (invalid salt)');
    if (!/^[1-9]\d*$/.test(iterText) || Number(iterText) > 0x7fffffff) {
      throw new AuthError('malformed SCRAM message (invalid iteration count)');
    }
    const salted = pbkdf2Sync(saslPrep(this.password), salt, Number(iterText), 32, 'sha256');
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = createHash('sha256').update(clientKey).digest();
    // c=biws: base64 of the GS2 header "n,," (no channel binding)
    const finalWithoutProof = `c=biws,r=${serverNonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${finalWithoutProof}`;
    const clientSignature = hmac(storedKey, authMessage);
    const proof = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) proof[i] = clientKey[i] ^ clientSignature[i];
    this.serverSignature = hmac(hmac(salted, 'Server Key'), authMessage);
    return utf8(`${finalWithoutProof},p=${proof.toString('base64')}`);
  }

  /** Checks server-final's v= against the expected signature; throws AuthError otherwise. */
  verifyServerFinal(serverFinalBytes: Uint8Array): void {
    const serverFinal = Buffer.from(serverFinalBytes).toString('utf8');
    if (this.serverSignature === undefined) throw new AuthError('malformed SCRAM message (server-final before server-first)');
    const attrs = attributes(serverFinal, 'server-final-message');
    const failure = attrs.get('e');
    if (failure !== undefined) throw new AuthError(`error received from server in SCRAM exchange: ${failure}`);
    const v = attrs.get('v');
    if (v === undefined) throw new AuthError('malformed SCRAM message (attribute "v" expected)');
    const got = Buffer.from(v, 'base64');
    if (got.length !== this.serverSignature.length || !timingSafeEqual(got, this.serverSignature)) {
      throw new AuthError('incorrect server signature');
    }
  }
}
