import * as argon2 from 'argon2';

/** argon2id with the library's defaults (64 MiB, t=3, p=4), a slow hash on purpose. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** Spent on unknown emails so a login answers in the same time whether the user exists or not. */
let decoy: Promise<string> | null = null;
export async function burnPasswordCheck(password: string): Promise<void> {
  decoy ??= hashPassword('flagdog-decoy-password');
  await verifyPassword(await decoy, password);
}
