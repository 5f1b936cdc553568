/** One measured number, printed by `npm run bench` as one JSON line. */
export type Figure = { readonly name: string; readonly value: number; readonly unit: string };
