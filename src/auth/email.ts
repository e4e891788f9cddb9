/**
 * The one form of an email address flagdog stores, looks up and throttles by: trimmed, NFC,
 * lower-cased by JavaScript. PostgreSQL's lower() folds some letters differently (`İ` becomes
 * `i` there, `i̇` here), so the database is never asked to fold: it compares the stored form.
 */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}
