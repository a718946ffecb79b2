package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.VectorGemm.S;
import static dev.kiln.runtime.kernels.VectorGemm.kernel8x1Rows;

/**
 * Products with one side of C narrower than a vector, in vector lanes across that side: Iris's
 * layers (4 -> 10 -> 3 at batch 120) and their gradients. Every element of C is the fma chain
 * {@link VectorGemm}'s small products and micro-kernels sum, in K order from zero or from C, so
 * the bits are theirs; only which elements share a register differs.
 *
 * <p>With C's columns across the lanes ({@code n <= L}), row i of C is {@code sum_p A(i, p) B(p,
 * .)}: B's row p is one vector, A's element a broadcast, eight rows of C in flight. B's rows are
 * read where they lie when contiguous and a whole vector fits in the array, else copied once into
 * a zero-padded stage. With C's rows across the lanes ({@code m <= L}: a weight gradient {@code
 * A^T B} whose A^T rows are contiguous) the same kernel computes C^T = B^T A^T. Whichever needs
 * fewer vector passes is taken.
 *
 * <p>C's rows are written whole when that is safe: the lanes past row i's n columns land in rows
 * below it, which are written afterwards, so a dense C without accumulation takes full-vector
 * stores up to its last rows. Other rows (accumulating, a strided C, the last rows, C^T) go
 * through a scratch tile and are copied element by element.
 *
 * <p>Measured against the chains (JDK 17, AVX-512, one core): Iris's five products of a step
 * 8.4 us as chains against 2.9 vectorized. Vector code runs boxed until C2 compiles it, so the
 * caller takes this path only through {@link VectorTwinGate}.
 */
final class VectorNarrowProducts {
  private static final int L = S.length();
  /** Rows of C (or C^T) per kernel pass: eight accumulators and one B vector. */
  private static final int ROWS = 8;

  private VectorNarrowProducts() {
  }

  /**
   * Whether a vector pass over one narrow side of C beats the chains at all: one side must fit in
   * a vector, and a product whose rows cost at most a few multiply-adds (XOR's 2 x 2) gains nothing.
   */
  static boolean applies(int m, int n, int k) {
    return m > 0 && n > 0 && k > 0 && (n <= L || m <= L) && (long) n * k > VectorGemm.TINY_ROW;
  }

  /**
   * {@code C (+)= A B} with A's element (i, p) at {@code a[aOff + i * aRowStride + p *
   * aColStride]}, B's (p, j) at {@code b[bOff + p * bRowStride + j * bColStride]}, C's (i, j) at
   * {@code c[cOff + i * ldc + j]}; requires {@link #applies}.
   */
  static void product(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride, float[] b,
      int bOff, int bRowStride, int bColStride, float[] c, int cOff, int ldc, boolean accumulate) {
    boolean columnsFit = n <= L;
    boolean rowsFit = m <= L;
    // Vector passes: ceil(rows / 8) per K step; staging a strided vector operand costs about one more.
    long acrossColumns = columnsFit ? passes(m) * k + (bColStride == 1 ? 0 : k) : Long.MAX_VALUE;
    long acrossRows = rowsFit ? passes(n) * k + (aRowStride == 1 ? 0 : k) : Long.MAX_VALUE;
    VectorGemm.Scratch scratch = VectorGemm.Scratch.borrow();
    try {
      if (acrossColumns <= acrossRows) {
        lanesAcrossColumns(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride,
            c, cOff, ldc, 1, accumulate, scratch);
      } else {
        // C^T (n x m) = B^T A^T: B^T's (j, p) is B's (p, j), A^T's (p, i) is A's (i, p).
        lanesAcrossColumns(n, m, k, b, bOff, bColStride, bRowStride, a, aOff, aColStride, aRowStride,
            c, cOff, 1, ldc, accumulate, scratch);
      }
    } finally {
      VectorGemm.Scratch.IDLE.giveBack(scratch);
    }
  }

  private static long passes(int rows) {
    return (rows + ROWS - 1) / ROWS;
  }

  /**
   * C (m x n, n <= L; C's (i, j) at {@code c[cOff + i * cRowStride + j * cColStride]}) (+)= A B,
   * B's rows as vectors.
   */
  private static void lanesAcrossColumns(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride,
      float[] b, int bOff, int bRowStride, int bColStride, float[] c, int cOff, int cRowStride, int cColStride,
      boolean accumulate, VectorGemm.Scratch scratch) {
    // B's rows [0, direct) are read in place; rows [direct, k) from the stage.
    int direct = bColStride == 1 ? rowsReadableInPlace(k, b.length, bOff, bRowStride) : 0;
    float[] stage = scratch.packedB((k - direct) * L);
    for (int p = direct; p < k; p++) {
      int row = (p - direct) * L;
      for (int j = 0; j < L; j++) {
        stage[row + j] = j < n ? b[bOff + p * bRowStride + j * bColStride] : 0f;
      }
    }
    float[] tile = scratch.tile;
    // Rows [0, wholeRows) are stored as whole vectors straight into C.
    int wholeRows = 0;
    if (!accumulate && cColStride == 1 && cRowStride == n && n < L) {
      // Row i's store ends at i * n + L, inside C's m * n values while i <= m - ceil(L / n).
      wholeRows = Math.max(0, m - (L + n - 1) / n + 1);
    } else if (!accumulate && cColStride == 1 && n == L) {
      wholeRows = m;
    }
    int i = 0;
    for (; i + ROWS <= wholeRows; i += ROWS) {
      pass(ROWS, k, direct, a, aOff + i * aRowStride, aRowStride, aColStride, b, bOff, bRowStride, stage,
          c, cOff + i * cRowStride, cRowStride, false);
    }
    for (; i < m; i += ROWS) {
      // The last rows, through the tile; rows past m repeat row m - 1 (the same chain, not copied out).
      int rows = Math.min(ROWS, m - i);
      if (accumulate) {
        for (int r = 0; r < rows; r++) {
          for (int j = 0; j < n; j++) {
            tile[r * L + j] = c[cOff + (i + r) * cRowStride + j * cColStride];
          }
        }
      }
      pass(rows, k, direct, a, aOff + i * aRowStride, aRowStride, aColStride, b, bOff, bRowStride, stage,
          tile, 0, L, accumulate);
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < n; j++) {
          c[cOff + (i + r) * cRowStride + j * cColStride] = tile[r * L + j];
        }
      }
    }
  }

  /** B's rows p in [0, result) each hold a whole vector inside the array from {@code bOff + p * bRowStride}. */
  private static int rowsReadableInPlace(int k, int length, int bOff, int bRowStride) {
    if (bOff + L > length) {
      return 0;
    }
    if (bRowStride <= 0) {
      return k;
    }
    return (int) Math.min(k, (long) (length - L - bOff) / bRowStride + 1);
  }

  /**
   * C's rows {@code aFirst + r * aRowStride} of A for r < {@code rows} (at most eight) into {@code
   * out}'s rows {@code outOff + r * ldo}: B in place for p in [0, direct), then staged. Under eight
   * rows, the pass's other accumulators repeat the last row (the same chain, for a tile row that is
   * never copied out), so a 4 x 10 gradient keeps eight chains in flight.
   */
  private static void pass(int rows, int k, int direct, float[] a, int aFirst, int aRowStride, int aColStride,
      float[] b, int bOff, int bRowStride, float[] stage, float[] out, int outOff, int ldo, boolean loadOut) {
    int last = rows - 1;
    int a0 = aFirst;
    int a1 = aFirst + Math.min(1, last) * aRowStride;
    int a2 = aFirst + Math.min(2, last) * aRowStride;
    int a3 = aFirst + Math.min(3, last) * aRowStride;
    int a4 = aFirst + Math.min(4, last) * aRowStride;
    int a5 = aFirst + Math.min(5, last) * aRowStride;
    int a6 = aFirst + Math.min(6, last) * aRowStride;
    int a7 = aFirst + Math.min(7, last) * aRowStride;
    if (direct > 0) {
      kernel8x1Rows(direct, a, a0, a1, a2, a3, a4, a5, a6, a7, aColStride, b, bOff, bRowStride, out, outOff, ldo,
          loadOut);
    }
    if (direct < k) {
      int s = direct * aColStride;
      kernel8x1Rows(k - direct, a, a0 + s, a1 + s, a2 + s, a3 + s, a4 + s, a5 + s, a6 + s, a7 + s, aColStride,
          stage, 0, L, out, outOff, ldo, loadOut || direct > 0);
    }
  }
}
