package dev.kiln.runtime.kernels;

/**
 * Splits large matrix products across a {@link WorkerPool}, on top of any single-threaded
 * {@link Gemm}. Products are split by rows of C, at multiples of 8 rows, so each output element
 * is computed by exactly the operations the single-threaded kernel would use: results are
 * bit-identical for every thread count. Each part is a view of the same arrays (rows of A and C
 * for {@code gemm} and {@code gemmTransB}, columns of the stored A for {@code gemmTransA}), so
 * nothing is copied. Small products and batch-1 work stay on the caller's thread, where a
 * hand-off would cost more than it saves.
 */
final class ThreadedGemm implements Gemm {
  /** Products below this many floating-point operations run on the caller's thread (~20-40 us). */
  static final long MIN_PARALLEL_FLOPS = 4_000_000;
  /** Split points are multiples of this many rows (the vector micro-kernel's row count). */
  static final int ROW_ALIGNMENT = 8;

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

  /** Runs the product in parts when it is large enough and the pool is free; false otherwise. */
  private boolean split(int kind, int m, int n, int k, float[] a, int aOff, int lda, float[] b,
      int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
    int parts = Math.min(Parallelism.threads(), pool.workerCount() + 1);
    parts = Math.min(parts, m / (2 * ROW_ALIGNMENT));
    if (parts < 2 || 2L * m * n * k < MIN_PARALLEL_FLOPS) {
      return false;
    }
    task.set(delegate, kind, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    return pool.tryRun(task, parts);
  }

  /** First row of part {@code part} of {@code parts}: aligned, the last part taking the rest. */
  static int rowStart(int m, int part, int parts) {
    if (part >= parts) {
      return m;
    }
    int rowsPerPart = (m / parts + ROW_ALIGNMENT - 1) / ROW_ALIGNMENT * ROW_ALIGNMENT;
    return Math.min(m, part * rowsPerPart);
  }

  /** One product's arguments, reused for every call (the pool runs one call at a time). */
  private static final class GemmTask implements WorkerPool.Task {
    static final int PLAIN = 0;
    static final int TRANS_A = 1;
    static final int TRANS_B = 2;

    private Gemm gemm;
    private int kind;
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

    void set(Gemm gemm, int kind, int m, int n, int k, float[] a, int aOff, int lda, float[] b,
        int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
      this.gemm = gemm;
      this.kind = kind;
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
      int from = rowStart(m, part, parts);
      int to = rowStart(m, part + 1, parts);
      int rows = to - from;
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
  }
}
