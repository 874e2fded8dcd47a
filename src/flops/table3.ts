// The paper's Table 3 recomputed from Eq. 2: N1, N2, M and the ratios 6N1/M, 6N2/M for its seven shapes (n_vocab 102400, l_seq 4096).
import { paperFormulas, TABLE3_SHAPES } from './flops.ts';
import { si, textTable } from '../util/format.ts';

export interface Table3Row {
  nLayer: number;
  dModel: number;
  N1: number;
  N2: number;
  M: number;
  sixN1OverM: number;
  sixN2OverM: number;
}

export function table3(seqLen = 4096, vocab = 102400): Table3Row[] {
  return TABLE3_SHAPES.map(([nLayer, dModel]) => {
    const { N1, N2, M } = paperFormulas(nLayer, dModel, seqLen, vocab);
    return { nLayer, dModel, N1, N2, M, sixN1OverM: (6 * N1) / M, sixN2OverM: (6 * N2) / M };
  });
}

/** Printed as in the paper: three significant digits with M/B suffixes, ratios to two decimals. */
export function formatTable3(rows: Table3Row[]): string {
  return textTable(
    ['n_layers', 'd_model', 'N1', 'N2', 'M', '6N1/M', '6N2/M'],
    rows.map((r) => [String(r.nLayer), String(r.dModel), si(r.N1), si(r.N2), si(r.M), r.sixN1OverM.toFixed(2), r.sixN2OverM.toFixed(2)]),
  );
}
