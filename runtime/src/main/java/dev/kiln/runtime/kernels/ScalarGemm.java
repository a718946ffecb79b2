package dev.kiln.runtime.kernels;

import java.util.Arrays;

/**
 * Plain-Java products: the reference that {@link VectorGemm} is tested against, and the fallback
 * when {@code jdk.incubator.vector} is not in the module graph.
 *
 * <p>Obviously correct first and reasonable second: loops run in the order C2 auto-vectorizes (the
 * innermost loop runs along a row of B and C for {@code gemm} and {@code gemmTransA}), and nothing
 * is blocked or packed.
 */
final class ScalarGemm implements Gemm {

  /** No vector twins. */
  @Override
  public void compileVectorTwins() {
  }

  ScalarGemm() {}

  @Override
  public String description() {
    return "scalar";
  }

  @Override
  public void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      int cRow = cOff + i * ldc;
      if (!accumulate) {
        Arrays.fill(c, cRow, cRow + n, 0f);
      }
      int aRow = aOff + i * lda;
      for (int p = 0; p < k; p++) {
        float aip = a[aRow + p];
        int bRow = bOff + p * ldb;
        for (int j = 0; j < n; j++) {
          c[cRow + j] += aip * b[bRow + j];
        }
      }
    }
  }

  @Override
  public void gemmTransA(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      int cRow = cOff + i * ldc;
      if (!accumulate) {
        Arrays.fill(c, cRow, cRow + n, 0f);
      }
      for (int p = 0; p < k; p++) {
        float api = a[aOff + p * lda + i];
        int bRow = bOff + p * ldb;
        for (int j = 0; j < n; j++) {
          c[cRow + j] += api * b[bRow + j];
        }
      }
    }
  }

  /** As {@link #gemm}, with each element of B widened from bfloat16 as it is read. */
  @Override
  public void gemmBf16(int m, int n, int k, float[] a, int aOff, int lda, short[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      int cRow = cOff + i * ldc;
      if (!accumulate) {
        Arrays.fill(c, cRow, cRow + n, 0f);
      }
      int aRow = aOff + i * lda;
      for (int p = 0; p < k; p++) {
        float aip = a[aRow + p];
        int bRow = bOff + p * ldb;
        for (int j = 0; j < n; j++) {
          c[cRow + j] += aip * BFloat16.toFloat(b[bRow + j]);
        }
      }
    }
  }

  @Override
  public void rowTimesMatrixSkippingZeros(int n, int k, float[] a, int aOff, float[] b, int bOff, int ldb,
      float[] c, int cOff, int[] nonzeroRows) {
    Arrays.fill(c, cOff, cOff + n, 0f);
    for (int p = 0; p < k; p++) {
      float ap = a[aOff + p];
      if (ap != 0f) { // gemm's row loop without the rows that add +-0
        int bRow = bOff + p * ldb;
        for (int j = 0; j < n; j++) {
          c[cOff + j] += ap * b[bRow + j];
        }
      }
    }
  }

  /** Row-major: the order {@link #gemmBf16} reads. */
  @Override
  public void packBf16(int rows, int cols, float[] src, int offset, int ld, short[] dst) {
    for (int r = 0, row = offset; r < rows; r++, row += ld) {
      for (int j = 0; j < cols; j++) {
        dst[row + j] = BFloat16.fromFloat(src[row + j]);
      }
    }
  }

  @Override
  public void gemmTransB(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      int aRow = aOff + i * lda;
      int cRow = cOff + i * ldc;
      for (int j = 0; j < n; j++) {
        int bRow = bOff + j * ldb;
        float sum = 0f;
        for (int p = 0; p < k; p++) {
          sum += a[aRow + p] * b[bRow + p];
        }
        c[cRow + j] = accumulate ? c[cRow + j] + sum : sum;
      }
    }
  }
}
