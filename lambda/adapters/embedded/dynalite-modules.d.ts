// dynalite ships no types: its two CommonJS modules this adapter imports, as dynalite.ts uses them.
declare module 'dynalite' {
  const dynalite: unknown;
  export default dynalite;
}
declare module 'dynalite/db' {
  const db: unknown;
  export default db;
}
