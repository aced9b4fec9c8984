/**
 * Diacritics folded away in SQL, for PostgreSQL's customer search: SQLite's FTS5 tokenizer removes
 * them (unicode61 remove_diacritics), so `jose` finds José Müller there and must here too.
 * unaccent() is not immutable and so cannot be indexed; translate() is, so the full-text index and
 * the query both fold with the same translate(), which keeps the index usable.
 *
 * The letters are those of Latin-1 and Latin Extended-A (U+00C0..U+017F) that decompose into an ASCII
 * letter and combining marks, each mapped to that letter (what remove_diacritics does for them).
 * Changing the table changes the index expression: it needs a migration of migrations-pg.
 */
export const FOLD_FROM = 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽž';
export const FOLD_TO = 'AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZz';

/** The SQL expression `expr` with its diacritics folded (both constants are free of quotes). */
export function foldDiacritics(expr: string): string {
  return `translate(${expr}, '${FOLD_FROM}', '${FOLD_TO}')`;
}
