// Minimal typings for the part of numeric 1.2.6 the fitter uses: uncmin (BFGS with a backtracking line search).
declare module 'numeric' {
  interface UncminResult {
    solution: number[];
    f: number;
    gradient: number[];
    invHessian: number[][];
    iterations: number;
    message: string;
  }
  const numeric: {
    uncmin(
      f: (x: number[]) => number,
      x0: number[],
      tol?: number,
      gradient?: (x: number[]) => number[],
      maxit?: number,
      callback?: ((it: number, x: number[], f: number, g: number[], H: number[][]) => boolean | void) | undefined,
      options?: { Hinv?: number[][] },
    ): UncminResult;
  };
  export default numeric;
}
