import { hash } from 'node:crypto';
import type { Evaluation } from 'src/feature-flags/resolver';

/** One flag's answer as JSON text, and a digest of that text that can stand for it (an ETag's input). */
export type AnswerText = Readonly<{ json: string; digest: string }>;

type FlagTexts = { version: number | null; on: Map<string, AnswerText>; off: Map<string, AnswerText> };

/**
 * The JSON text of one flag's answer in a bulk evaluation, kept per flag version and outcome: an
 * answer depends on the subject only through its outcome (reason and value), so a bulk answer is
 * a join of a few texts per flag, written once each, rather than a serialisation of every flag
 * per request. A flag's texts are dropped when its version changes. Looked up by the resolver's
 * reason constant, so a lookup builds no string. Only for flags that exist: memory grows with
 * the flags, never with what callers ask for.
 */
export class AnswerTexts {
  private readonly byKey = new Map<string, FlagTexts>();

  /** `shape` is the answer object of one flag; it may depend on the key and the outcome only. */
  constructor(private readonly shape: (key: string, evaluation: Evaluation) => unknown) {}

  of(key: string, evaluation: Evaluation): AnswerText {
    let entry = this.byKey.get(key);
    if (entry === undefined || entry.version !== evaluation.version) {
      entry = { version: evaluation.version, on: new Map(), off: new Map() };
      this.byKey.set(key, entry);
    }
    const texts = evaluation.enabled ? entry.on : entry.off;
    let text = texts.get(evaluation.reason);
    if (text === undefined) {
      const json = JSON.stringify(this.shape(key, evaluation));
      text = { json, digest: hash('sha256', json, 'base64url').slice(0, 22) };
      texts.set(evaluation.reason, text);
    }
    return text;
  }
}
