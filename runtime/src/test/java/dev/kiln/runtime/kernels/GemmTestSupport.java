package dev.kiln.runtime.kernels;

import java.util.Arrays;
import java.util.Random;

/**
 * Strided operands for the product tests: a matrix stored with a row stride wider than its
 * logical width, at a non-zero offset, with NaN in the gaps between rows and around the region,
 * so a kernel that reads a gap turns its result into NaN and one that writes a gap is caught.
 */
final class GemmTestSupport {

  private GemmTestSupport() {}

  /** The three products, as data. */
  enum Product {
    PLAIN, TRANS_A, TRANS_B;

    void run(Gemm g, int m, int n, int k, Strided a, Strided b, float[] c, int cOff, int ldc,
        boolean acc) {
      switch (this) {
        case PLAIN -> g.gemm(m, n, k, a.data, a.off, a.ld, b.data, b.off, b.ld, c, cOff, ldc, acc);
        case TRANS_A -> g.gemmTransA(m, n, k, a.data, a.off, a.ld, b.data, b.off, b.ld, c, cOff, ldc, acc);
        case TRANS_B -> g.gemmTransB(m, n, k, a.data, a.off, a.ld, b.data, b.off, b.ld, c, cOff, ldc, acc);
        default -> throw new AssertionError(this);
      }
    }

    /** Rows and columns of A as stored: [m x k], or [k x m] for TRANS_A. */
    int[] aShape(int m, int k) {
      return this == TRANS_A ? new int[] {k, m} : new int[] {m, k};
    }

    /** Rows and columns of B as stored: [k x n], or [n x k] for TRANS_B. */
    int[] bShape(int n, int k) {
      return this == TRANS_B ? new int[] {n, k} : new int[] {k, n};
    }

    /** Element (i, p) of op(A) and (p, j) of op(B), summed: the reference in double. */
    double[] reference(int m, int n, int k, Strided a, Strided b, float[] c, int cOff, int ldc,
        boolean acc) {
      double[] out = new double[m * n];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = acc ? c[cOff + i * ldc + j] : 0;
          for (int p = 0; p < k; p++) {
            double av = this == TRANS_A ? a.get(p, i) : a.get(i, p);
            double bv = this == TRANS_B ? b.get(j, p) : b.get(p, j);
            s += av * bv;
          }
          out[i * n + j] = s;
        }
      }
      return out;
    }
  }

  /** A [rows x cols] matrix at {@code off} with row stride {@code ld >= cols}; NaN elsewhere. */
  record Strided(float[] data, int off, int ld, int rows, int cols) {
    float get(int r, int c) {
      return data[off + r * ld + c];
    }
  }

  /** Random values in [-1, 1) in a [rows x cols] block of stride {@code cols + pad} at {@code off}. */
  static Strided strided(Random rnd, int rows, int cols, int off, int pad) {
    int ld = cols + pad;
    float[] data = new float[off + rows * ld + KernelTestSupport.GUARD];
    Arrays.fill(data, Float.NaN);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        data[off + r * ld + c] = -1f + 2f * rnd.nextFloat();
      }
    }
    return new Strided(data, off, Math.max(ld, 1), rows, cols);
  }

  /** Fails unless every element outside the {@code [rows x cols]} block of stride ld is still NaN. */
  static void assertOnlyBlockWritten(float[] c, int off, int ld, int rows, int cols, String what) {
    for (int i = 0; i < c.length; i++) {
      int rel = i - off;
      boolean inside = rel >= 0 && rows > 0 && cols > 0 && rel / ld < rows && rel % ld < cols;
      if (!inside && !Float.isNaN(c[i])) {
        throw new AssertionError(what + ": wrote outside its block at index " + i);
      }
    }
  }

  /** C's starting contents: random in the block for accumulate, NaN in the block otherwise. */
  static float[] startC(Random rnd, int rows, int cols, int off, int ld, boolean acc) {
    float[] c = new float[off + rows * ld + KernelTestSupport.GUARD];
    Arrays.fill(c, Float.NaN);
    if (acc) {
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < cols; j++) {
          c[off + r * ld + j] = -1f + 2f * rnd.nextFloat();
        }
      }
    }
    return c;
  }

  /** The {@code [rows x cols]} block of C, densely. */
  static float[] block(float[] c, int off, int ld, int rows, int cols) {
    float[] out = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(c, off + r * ld, out, r * cols, cols);
    }
    return out;
  }
}
