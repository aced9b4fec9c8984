/**
 * The RouterOS API wire format, pure: bytes in, words out. A word is a length prefix and that many
 * bytes; a sentence is words ended by a zero-length word. Words are UTF-8 on our side; RouterOS
 * stores strings as raw bytes, so a word written in another code page decodes with U+FFFD in it.
 */
import { RouterOsError } from './errors.js';

/** Largest length the 5-byte form can carry. */
export const MAX_WORD_LENGTH = 0xffff_ffff;

/** A router never sends words anywhere near this; a bigger prefix means the stream is corrupt. */
export const DEFAULT_MAX_WORD_BYTES = 16 * 1024 * 1024;

export function encodeLength(length: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > MAX_WORD_LENGTH) {
    throw new RangeError(`RouterOS word length out of range: ${length}`);
  }
  if (length < 0x80) return Buffer.from([length]);
  if (length < 0x4000) return Buffer.from([0x80 | (length >>> 8), length & 0xff]);
  if (length < 0x20_0000) return Buffer.from([0xc0 | (length >>> 16), (length >>> 8) & 0xff, length & 0xff]);
  if (length < 0x1000_0000) {
    return Buffer.from([0xe0 | (length >>> 24), (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff]);
  }
  const b = Buffer.alloc(5);
  b[0] = 0xf0;
  b.writeUInt32BE(length, 1);
  return b;
}

export type LengthHead = { length: number; size: number } | { need: number };

/**
 * Reads the length prefix at `offset`. `{ need }` is how many bytes from `offset` must be present
 * before the prefix can be read. Bytes 0xF8..0xFF are control bytes the API never sends to clients.
 */
export function decodeLength(buf: Uint8Array, offset = 0): LengthHead {
  if (offset >= buf.length) return { need: 1 };
  const b = buf[offset]!;
  const size = b < 0x80 ? 1 : b < 0xc0 ? 2 : b < 0xe0 ? 3 : b < 0xf0 ? 4 : b === 0xf0 ? 5 : 0;
  if (size === 0) throw new RouterOsError('routeros_protocol', `unexpected control byte 0x${b.toString(16)} in RouterOS API stream`);
  if (offset + size > buf.length) return { need: size };
  let length = size === 5 ? 0 : b & (0xff >>> size);
  for (let i = 1; i < size; i++) length = length * 256 + buf[offset + i]!;
  return { length, size };
}

export function encodeWord(word: string): Buffer {
  const bytes = Buffer.from(word, 'utf8');
  return Buffer.concat([encodeLength(bytes.length), bytes]);
}

export function encodeSentence(words: readonly string[]): Buffer {
  return Buffer.concat([...words.map(encodeWord), Buffer.from([0])]);
}

/**
 * Turns a TCP byte stream into sentences, whatever the chunking: a word split across chunks waits
 * for the rest, several sentences in one chunk all come out. Bytes are only joined once enough
 * have arrived to make progress, so a large word sent in many small chunks is copied once.
 */
export class SentenceDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  /** Bytes `buf` must hold before parsing can move on. */
  private need = 1;
  private words: string[] = [];

  constructor(private readonly maxWordBytes = DEFAULT_MAX_WORD_BYTES) {}

  /** Feeds one chunk; returns the sentences it completed. Throws `routeros_protocol` on corrupt input. */
  push(chunk: Uint8Array): string[][] {
    if (chunk.length === 0) return [];
    this.queued.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    this.queuedBytes += chunk.length;
    if (this.buf.length + this.queuedBytes < this.need) return [];

    const buf = this.buf.length === 0 && this.queued.length === 1 ? this.queued[0]! : Buffer.concat([this.buf, ...this.queued]);
    this.queued = [];
    this.queuedBytes = 0;
    const sentences: string[][] = [];
    let offset = 0;
    for (;;) {
      const head = decodeLength(buf, offset);
      if ('need' in head) {
        this.need = head.need;
        break;
      }
      if (head.length > this.maxWordBytes) {
        throw new RouterOsError('routeros_protocol', `RouterOS API word of ${head.length} bytes exceeds the ${this.maxWordBytes}-byte limit`);
      }
      const end = offset + head.size + head.length;
      if (end > buf.length) {
        this.need = head.size + head.length;
        break;
      }
      if (head.length === 0) {
        sentences.push(this.words);
        this.words = [];
      } else {
        this.words.push(buf.toString('utf8', offset + head.size, end));
      }
      offset = end;
    }
    this.buf = buf.subarray(offset);
    return sentences;
  }

  /** True when no partial sentence is buffered (a clean place for the stream to end). */
  get idle(): boolean {
    return this.words.length === 0 && this.buf.length === 0 && this.queuedBytes === 0;
  }
}

/** Reply words that start a sentence from the router. */
export type ReplyType = '!re' | '!done' | '!trap' | '!fatal' | '!empty';

export const REPLY_TYPES: ReadonlySet<string> = new Set<ReplyType>(['!re', '!done', '!trap', '!fatal', '!empty']);

export interface Sentence {
  /** The first word: a command path (`/ppp/active/print`) or a reply type (`!re`). */
  head: string;
  /** `=key=value` words; the value runs to the end of the word and may contain '='. */
  attributes: Record<string, string>;
  /** The `.tag=` API attribute, if present. */
  tag?: string;
  /** `?` query words without the '?', in order (the query language is a stack: order matters). */
  queries: string[];
  /** Any other word, such as the reason that follows `!fatal`. */
  other: string[];
}

export function parseSentence(words: readonly string[]): Sentence {
  const attributes: [string, string][] = [];
  const queries: string[] = [];
  const other: string[] = [];
  let tag: string | undefined;
  for (const word of words.slice(1)) {
    if (word.startsWith('=')) {
      const eq = word.indexOf('=', 1);
      attributes.push(eq < 0 ? [word.slice(1), ''] : [word.slice(1, eq), word.slice(eq + 1)]);
    } else if (word.startsWith('.tag=')) {
      tag = word.slice(5);
    } else if (word.startsWith('?')) {
      queries.push(word.slice(1));
    } else {
      other.push(word);
    }
  }
  // fromEntries defines own properties, so a router-sent key such as `__proto__` stays plain data.
  const sentence: Sentence = { head: words[0] ?? '', attributes: Object.fromEntries(attributes), queries, other };
  if (tag !== undefined) sentence.tag = tag;
  return sentence;
}

/** `=key=value`, with booleans as RouterOS spells them. */
export function attributeWord(key: string, value: string | number | boolean): string {
  return `=${key}=${typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value)}`;
}

/** `?key=value`: a query that the property equals the value. */
export function queryWord(key: string, value: string | number | boolean): string {
  return `?${attributeWord(key, value).slice(1)}`;
}
