package dev.kiln.runtime.kernels;

/**
 * Splits large matrix products across a {@link WorkerPool}, on top of any single-threaded
 * {@link Gemm}. A product is split along its longer side of C: by rows, at multiples of 8, when C
 * is taller than wide (a weight gradient, 784 x 256), else by columns, at multiples of 16 (a
 * training batch's forward product, 64 x 256: split by rows, each part packed all of B, a third of
 * its time). Each output element is still computed by exactly the operations the single-threaded
 * kernel would use (every element of C is one chain of fmas in K order, whichever tile computes
 * it), so results are bit-identical for every thread count. Each part is a view of the same arrays
 * (rows of A and C, or columns of B and C), so nothing is copied. Small products and batch-1 work
 * stay on the caller's thread, where a hand-off would cost more than it saves.
 */
final class ThreadedGemm implements Gemm {
  /** Products below this many floating-point operations run on the caller's thread (~20-40 us). */
  static final long MIN_PARALLEL_FLOPS = 4_000_000;
  /** Row split points are multiples of this many rows (the vector micro-kernel's row count). */
  static final int ROW_ALIGNMENT = 8;
  /** Column split points are multiples of this many columns (a 512-bit vector, two 256-bit ones). */
  static final int COLUMN_ALIGNMENT = 16;

  private final Gemm delegate;
  private final WorkerPool pool;
  private final GemmTask task;

  ThreadedGemm(Gemm delegate, WorkerPool pool) {
    this.delegate = delegate;
    this.pool = pool;
    this.task = new GemmTask();
  }

  /** The single-threaded products this splits work for. */
  Gemm delegate() {
    return delegate;
  }

  @Override
  public String description() {
    return delegate.description(); // the SIMD implementation; thread counts are Parallelism's
  }

  @Override
  public void compileVectorTwins() {
    delegate.compileVectorTwins();
  }

  @Override
  public void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    if (!split(GemmTask.PLAIN, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate)) {
      delegate.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    }
  }

  @Override
  public void gemmTransA(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
    if (!split(GemmTask.TRANS_A, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate)) {
      delegate.gemmTransA(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    }
  }

  @Override
  public void gemmTransB(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
    if (!split(GemmTask.TRANS_B, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate)) {
      delegate.gemmTransB(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    }
  }

  @Override
  public void gemmBf16(int m, int n, int k, float[] a, int aOff, int lda, short[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    // Batch-1 serving's product: on the caller's thread, as every batch-1 product.
    delegate.gemmBf16(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
  }

  @Override
  public void rowTimesMatrixSkippingZeros(int n, int k, float[] a, int aOff, float[] b, int bOff, int ldb,
      float[] c, int cOff, int[] nonzeroRows) {
    delegate.rowTimesMatrixSkippingZeros(n, k, a, aOff, b, bOff, ldb, c, cOff, nonzeroRows); // batch 1: the caller's thread
  }

  @Override
  public void packBf16(int rows, int cols, float[] src, int offset, int ld, short[] dst) {
    delegate.packBf16(rows, cols, src, offset, ld, dst);
  }

  /** Runs the product in parts when it is large enough and the pool is free; false otherwise. */
  private boolean split(int kind, int m, int n, int k, float[] a, int aOff, int lda, float[] b,
      int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
    if (2L * m * n * k < MIN_PARALLEL_FLOPS) {
      return false;
    }
    boolean byColumns = n > m;
    int parts = Math.min(Parallelism.threads(), pool.workerCount() + 1);
    parts = Math.min(parts, byColumns ? n / (2 * COLUMN_ALIGNMENT) : m / (2 * ROW_ALIGNMENT));
    if (parts < 2) {
      return false;
    }
    if (!pool.tryAcquire()) {
      return false; // busy: the running call's parts read task's fields, so leave them alone
    }
    try {
      task.set(delegate, kind, byColumns, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
      pool.runAcquired(task, parts);
    } finally {
      pool.release();
    }
    return true;
  }

  /** First row of part {@code part} of {@code parts}: aligned, the last part taking the rest. */
  static int rowStart(int m, int part, int parts) {
    return WorkerPool.partStart(m, part, parts, ROW_ALIGNMENT);
  }

  /** First column of part {@code part} of {@code parts}: aligned, the last part taking the rest. */
  static int columnStart(int n, int part, int parts) {
    return WorkerPool.partStart(n, part, parts, COLUMN_ALIGNMENT);
  }

  /**
   * One product's arguments, reused for every call: set only by the thread holding the pool (the
   * pool runs one call at a time).
   */
  private static final class GemmTask implements WorkerPool.Task {
    static final int PLAIN = 0;
    static final int TRANS_A = 1;
    static final int TRANS_B = 2;

    private Gemm gemm;
    private int kind;
    private boolean byColumns;
    private int m;
    private int n;
    private int k;
    private float[] a;
    private int aOff;
    private int lda;
    private float[] b;
    private int bOff;
    private int ldb;
    private float[] c;
    private int cOff;
    private int ldc;
    private boolean accumulate;

    void set(Gemm gemm, int kind, boolean byColumns, int m, int n, int k, float[] a, int aOff, int lda,
        float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
      this.gemm = gemm;
      this.kind = kind;
      this.byColumns = byColumns;
      this.m = m;
      this.n = n;
      this.k = k;
      this.a = a;
      this.aOff = aOff;
      this.lda = lda;
      this.b = b;
      this.bOff = bOff;
      this.ldb = ldb;
      this.c = c;
      this.cOff = cOff;
      this.ldc = ldc;
      this.accumulate = accumulate;
    }

    @Override
    public void run(int part, int parts) {
      if (byColumns) {
        runColumns(part, parts);
      } else {
        runRows(part, parts);
      }
    }

    private void runRows(int part, int parts) {
      int from = rowStart(m, part, parts);
      int rows = rowStart(m, part + 1, parts) - from;
      if (rows <= 0) {
        return;
      }
      int cStart = cOff + from * ldc;
      switch (kind) {
        case PLAIN:
          gemm.gemm(rows, n, k, a, aOff + from * lda, lda, b, bOff, ldb, c, cStart, ldc, accumulate);
          break;
        case TRANS_B:
          gemm.gemmTransB(rows, n, k, a, aOff + from * lda, lda, b, bOff, ldb, c, cStart, ldc,
              accumulate);
          break;
        case TRANS_A:
          // A is stored [k x m]: columns from..to are the [k x rows] view starting at column from.
          gemm.gemmTransA(rows, n, k, a, aOff + from, lda, b, bOff, ldb, c, cStart, ldc, accumulate);
          break;
        default:
          throw new IllegalStateException("unknown product kind " + kind);
      }
    }

    private void runColumns(int part, int parts) {
      int from = columnStart(n, part, parts);
      int columns = columnStart(n, part + 1, parts) - from;
      if (columns <= 0) {
        return;
      }
      int cStart = cOff + from;
      switch (kind) {
        case PLAIN:
          gemm.gemm(m, columns, k, a, aOff, lda, b, bOff + from, ldb, c, cStart, ldc, accumulate);
          break;
        case TRANS_A:
          gemm.gemmTransA(m, columns, k, a, aOff, lda, b, bOff + from, ldb, c, cStart, ldc, accumulate);
          break;
        case TRANS_B:
          // B is stored [n x k]: its rows from..to are the columns of op(B).
          gemm.gemmTransB(m, columns, k, a, aOff, lda, b, bOff + from * ldb, ldb, c, cStart, ldc, accumulate);
          break;
        default:
          throw new IllegalStateException("unknown product kind " + kind);
      }
    }
  }
}
