// The paper's Table 4 (DeepSeek LLM, arXiv 2401.02954): compute-allocation exponents a (M_opt ∝ C^a) and b (D_opt ∝ C^b) by data source.

export interface Table4Row {
  /** Short label used on charts. */
  label: string;
  /** Training data the exponents were measured on. */
  data: string;
  /** M_opt ∝ C^a (model scaling exponent). */
  a: number;
  /** D_opt ∝ C^b (data scaling exponent). */
  b: number;
  /** Model scale the row was measured in: Kaplan's N is non-embedding parameters (6N1), Chinchilla's all parameters (6N2), DeepSeek's M. */
  representation: 'M' | '6N1' | '6N2';
}

/** Table 4 as printed; higher-quality data gives a larger a (more of extra compute goes to the model). */
export const TABLE4: readonly Table4Row[] = [
  { label: 'Kaplan et al.', data: 'OpenWebText2', a: 0.73, b: 0.27, representation: '6N1' },
  { label: 'Chinchilla', data: 'MassiveText', a: 0.49, b: 0.51, representation: '6N2' },
  { label: 'DeepSeek early data', data: 'DeepSeek early data', a: 0.450, b: 0.550, representation: 'M' },
  { label: 'DeepSeek current data', data: 'DeepSeek current data', a: 0.524, b: 0.476, representation: 'M' },
  { label: 'DeepSeek OpenWebText2', data: 'OpenWebText2', a: 0.578, b: 0.422, representation: 'M' },
];
